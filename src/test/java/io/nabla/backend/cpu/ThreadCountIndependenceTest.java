package io.nabla.backend.cpu;

import static org.assertj.core.api.Assertions.assertThat;

import io.nabla.autograd.Autograd;
import io.nabla.autograd.NormOps;
import io.nabla.autograd.ReduceOps;
import io.nabla.backend.DType;
import io.nabla.tensor.Tensor;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The fast reduce, norm, pooling and FP32 add kernels give bit-identical results on 1 and on 3 compute threads: {@link #main} prints
 * a fingerprint of their results and runs in two JVMs with {@code -Dnabla.threads=1} and {@code =3}.
 */
class ThreadCountIndependenceTest {

    @Test
    void resultsDoNotDependOnTheThreadCount() throws Exception {
        String one = runWithThreads(1);
        String three = runWithThreads(3);
        assertThat(one).isNotBlank();
        assertThat(three).isEqualTo(one);
    }

    private static String runWithThreads(int threads) throws IOException, InterruptedException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> cmd = new ArrayList<>(List.of(java, "-Dnabla.threads=" + threads, "-cp",
                System.getProperty("java.class.path"), ThreadCountIndependenceTest.class.getName()));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(out).isZero();
        return out.lines().filter(l -> l.startsWith("fingerprint")).reduce("", (a, b) -> a + b + "\n");
    }

    /** Prints one fingerprint line per result; run in a child JVM. */
    public static void main(String[] args) {
        Random rnd = new Random(1);
        float[] v = new float[300_000];
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) (rnd.nextGaussian() * 3 + 1);
        }
        Tensor flat = Tensor.of(v, v.length);
        Tensor m = Tensor.of(v, 300, 1000);
        print("sum all", ReduceOps.sum(flat));
        print("var all", ReduceOps.var(flat));
        print("logsumexp all", ReduceOps.logsumexp(flat, new int[0], false));
        print("sum dim 0", ReduceOps.sum(m, new int[] {0}, false));
        print("std dim 0", ReduceOps.std(m, new int[] {0}, true, false));
        print("mean dim 1", ReduceOps.mean(m, new int[] {1}, false));
        print("sum dim 1", ReduceOps.sum(m, new int[] {1}, false));
        print("add", io.nabla.autograd.ElementwiseOps.add(flat, io.nabla.autograd.ElementwiseOps.exp(flat)));
        print("softmax", NormOps.softmax(m, 1));
        Tensor x = m.detach().requiresGrad(true);
        Tensor w = Tensor.ones(DType.FP32, 1000).requiresGrad(true);
        Tensor b = Tensor.zeros(DType.FP32, 1000).requiresGrad(true);
        Autograd.backward(NormOps.layerNorm(x, new int[] {1000}, w, b, 1e-5), m);
        print("layer_norm weight grad", w.grad());
        print("layer_norm input grad", x.grad());
        Tensor images = Tensor.of(v, 30, 10, 25, 40); // (N, C, H, W)
        print("sum around dims (0, 2, 3)", ReduceOps.sum(images, new int[] {0, 2, 3}, false));
        print("max_pool2d 2x2", io.nabla.autograd.ConvOps.maxPool2d(images, new int[] {2, 2}, null, new int[] {0, 0}));
        print("max_pool2d 3x3 padded", io.nabla.autograd.ConvOps.maxPool2d(images, new int[] {3, 3}, new int[] {2, 2},
                new int[] {1, 1}));
        print("avg_pool2d 2x2", io.nabla.autograd.ConvOps.avgPool2d(images, new int[] {2, 2}, null, new int[] {0, 0},
                true));
    }

    private static void print(String what, Tensor t) {
        float[] f = t.toFloatArray();
        int[] bits = new int[f.length];
        for (int i = 0; i < f.length; i++) {
            bits[i] = Float.floatToRawIntBits(f[i]);
        }
        System.out.println("fingerprint " + what + " " + Arrays.hashCode(bits));
    }
}
