package io.nabla.backend.cuda;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.nabla.golden.Golden;
import java.lang.reflect.Constructor;
import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicContainer;
import org.junit.jupiter.api.DynamicNode;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Every golden op case of the CPU suites, run again with the fixture tensors on cuda:0: the same
 * {@code @TestFactory} methods of the {@code *GoldenTest} classes, each case executed with
 * {@link Golden#onDevice}. A case whose kernel is not built on CUDA yet is skipped, naming the kernel.
 */
@RequiresCuda
class CudaGoldenTest {

    private static final String[] SUITES = {"io.nabla.autograd.ElementwiseGoldenTest",
        "io.nabla.autograd.ReduceGoldenTest", "io.nabla.autograd.LinalgGoldenTest", "io.nabla.autograd.NormGoldenTest",
        "io.nabla.autograd.LossGoldenTest", "io.nabla.autograd.IndexShapeGoldenTest",
        "io.nabla.autograd.ConvGoldenTest"};

    @TestFactory
    Stream<DynamicNode> goldenCasesOnCuda() throws Exception {
        CudaTestBackend.get();
        List<DynamicNode> suites = new ArrayList<>();
        for (String name : SUITES) {
            Class<?> c = Class.forName(name);
            Constructor<?> ctor = c.getDeclaredConstructor();
            ctor.setAccessible(true);
            Object instance = ctor.newInstance();
            List<DynamicNode> factories = new ArrayList<>();
            for (Method m : c.getDeclaredMethods()) {
                if (m.isAnnotationPresent(TestFactory.class) && m.getParameterCount() == 0) {
                    m.setAccessible(true);
                    Stream<?> nodes = toStream(m.invoke(instance));
                    factories.add(DynamicContainer.dynamicContainer(m.getName(), nodes.map(n -> onCuda((DynamicNode) n))));
                }
            }
            suites.add(DynamicContainer.dynamicContainer(c.getSimpleName(), factories));
        }
        return suites.stream();
    }

    private static Stream<?> toStream(Object o) {
        if (o instanceof Stream<?> s) {
            return s;
        }
        if (o instanceof Iterable<?> it) {
            List<Object> l = new ArrayList<>();
            it.forEach(l::add);
            return l.stream();
        }
        throw new IllegalStateException("unexpected factory result " + o);
    }

    private static DynamicNode onCuda(DynamicNode node) {
        if (node instanceof DynamicContainer c) {
            return DynamicContainer.dynamicContainer(c.getDisplayName(), c.getChildren().map(CudaGoldenTest::onCuda));
        }
        DynamicTest t = (DynamicTest) node;
        return DynamicTest.dynamicTest(t.getDisplayName(), () -> {
            try (AutoCloseable d = Golden.onDevice(CudaTestBackend.device())) {
                t.getExecutable().execute();
            } catch (UnsupportedOperationException e) {
                String m = String.valueOf(e.getMessage());
                assumeTrue(!m.contains("not yet implemented on CUDA"), m);
                throw e;
            }
        });
    }
}
