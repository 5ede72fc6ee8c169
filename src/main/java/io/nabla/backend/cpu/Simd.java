package io.nabla.backend.cpu;

import io.nabla.backend.BinaryOp;

/**
 * Whether the FP32 kernels may use {@link VectorLoops} (the incubating Vector API, {@code jdk.incubator.vector}).
 *
 * <p>The module is only resolved when the JVM is started with {@code --add-modules jdk.incubator.vector} (the build
 * does so for the tests, {@code spring-boot:run} and the benchmarks; an executable jar cannot ask for it in its
 * manifest, so {@code java -jar} needs the flag on the command line). Without it, or with
 * {@code -Dnabla.simd=false}, {@link #ENABLED} is false and the scalar loops run: callers test {@link #ENABLED}
 * before touching {@link VectorLoops}, so that class (which links against the module) is never loaded then.
 * Both paths give bit-identical results for elementwise ops; sums differ only in rounding (see
 * {@link VectorLoops#sum}).
 */
final class Simd {

    /** True when the Vector API module is present and not switched off with {@code -Dnabla.simd=false}. */
    static final boolean ENABLED = ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent()
            && Boolean.parseBoolean(System.getProperty("nabla.simd", "true"));

    private Simd() {
    }

    /** Binary ops that {@link VectorLoops#binary} computes. */
    static boolean handles(BinaryOp op) {
        return switch (op) {
            case ADD, SUB, MUL, DIV, MAXIMUM, MINIMUM -> true;
            default -> false;
        };
    }
}
