package io.nabla.backend.cuda;

import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import java.io.PrintWriter;
import org.junit.platform.launcher.Launcher;
import org.junit.platform.launcher.LauncherDiscoveryRequest;
import org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder;
import org.junit.platform.launcher.core.LauncherFactory;
import org.junit.platform.launcher.listeners.SummaryGeneratingListener;
import org.junit.platform.launcher.listeners.TestExecutionSummary;

/**
 * Runs the GPU test classes without Maven (the device machine has none), through the JUnit Platform launcher:
 * {@code java -cp target/classes:target/test-classes:target/gpu-lib/* io.nabla.backend.cuda.GpuSuite [Class ...]} (all
 * GPU test classes, or the named ones). Prints each
 * failure and a last line {@code GPU-SUITE tests=N succeeded=N failed=N skipped=N aborted=N} that
 * {@code src/bench/gpu-run.sh} reads for its exit status.
 */
public final class GpuSuite {

    private static final Class<?>[] CLASSES = {CudaBindingsTest.class, CudaConformanceTest.class,
        CudaGoldenTest.class, CudaLayerForwardTest.class, CudaDeferredCheckTest.class, KernelSourceCompileTest.class,
        io.nabla.model.CudaTrainingGoldenTest.class, io.nabla.model.CudaMixedPrecisionTrainingTest.class,
        GpuServiceAcceptanceTest.class};

    private GpuSuite() {
    }

    public static void main(String[] args) {
        LauncherDiscoveryRequestBuilder request = LauncherDiscoveryRequestBuilder.request();
        if (args.length == 0) {
            for (Class<?> c : CLASSES) {
                request.selectors(selectClass(c));
            }
        }
        for (String name : args) {
            request.selectors(selectClass(name.contains(".") ? name : "io.nabla.backend.cuda." + name));
        }
        LauncherDiscoveryRequest r = request.build();
        Launcher launcher = LauncherFactory.create();
        SummaryGeneratingListener summary = new SummaryGeneratingListener();
        launcher.execute(r, summary);
        TestExecutionSummary s = summary.getSummary();
        PrintWriter out = new PrintWriter(System.out, true);
        s.printFailuresTo(out, 40);
        s.printTo(out);
        out.printf("GPU-SUITE tests=%d succeeded=%d failed=%d skipped=%d aborted=%d%n", s.getTestsFoundCount(),
                s.getTestsSucceededCount(), s.getTestsFailedCount(), s.getTestsSkippedCount(),
                s.getTestsAbortedCount());
        out.println("CUDA " + CudaRuntime.status());
    }
}
