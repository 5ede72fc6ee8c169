package io.nabla.backend.cuda;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

/**
 * Proves the generated CUDA C is valid without a GPU: every kernel the backend can generate is compiled to PTX with
 * {@code nvcc --ptx -arch=sm_90} and the options NVRTC gets, at optimisation level 0 (validity is what is checked;
 * optimising ~1200 kernels took minutes on the 2-core machine). Skips, saying so, where nvcc is not installed.
 */
class KernelSourceCompileTest {

    @TempDir
    Path dir;

    private static String nvcc() {
        for (String p : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            if (Files.isExecutable(Path.of(p, "nvcc"))) {
                return Path.of(p, "nvcc").toString();
            }
        }
        return Files.isExecutable(Path.of("/usr/local/cuda/bin/nvcc")) ? "/usr/local/cuda/bin/nvcc" : null;
    }

    @Test
    void kernelNamesAreUnique() {
        Set<String> names = new HashSet<>();
        for (List<Kernel> family : KernelSources.byFamily().values()) {
            for (Kernel k : family) {
                assertThat(names.add(k.name())).as("duplicate kernel name %s", k.name()).isTrue();
                assertThat(k.source()).contains("__global__ void " + k.name() + "(");
            }
        }
        assertThat(names).hasSizeGreaterThan(500);
    }

    @TestFactory
    Stream<DynamicTest> everyGeneratedKernelCompilesWithNvcc() {
        return KernelSources.byFamily().entrySet().stream().map(e -> DynamicTest.dynamicTest(e.getKey(), () -> {
            String nvcc = nvcc();
            assumeTrue(nvcc != null, "nvcc is not on PATH (nor /usr/local/cuda/bin): cannot compile the kernels");
            compile(nvcc, e);
        }));
    }

    private void compile(String nvcc, Map.Entry<String, List<Kernel>> family) throws IOException,
            InterruptedException {
        StringBuilder src = new StringBuilder(CudaC.PRELUDE);
        for (Kernel k : family.getValue()) {
            src.append(k.source()).append('\n');
        }
        Path cu = dir.resolve(family.getKey() + ".cu");
        Path ptx = dir.resolve(family.getKey() + ".ptx");
        Files.writeString(cu, src, StandardCharsets.UTF_8);
        Process p = new ProcessBuilder(nvcc, "--ptx", "-arch=sm_90", KernelCache.OPTIONS[0], KernelCache.OPTIONS[1],
                "-Xcicc", "-O0", "-o", ptx.toString(), cu.toString()).redirectErrorStream(true).start();
        String log = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(300, TimeUnit.SECONDS)).as("nvcc finished").isTrue();
        assertThat(p.exitValue()).as("nvcc on %d %s kernels:%n%s", family.getValue().size(), family.getKey(), log)
                .isZero();
        String out = Files.readString(ptx);
        for (Kernel k : family.getValue()) {
            assertThat(out).as("PTX of %s", k.name()).contains(".entry " + k.name() + "(");
        }
    }
}
