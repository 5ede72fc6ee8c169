/**
 * The fast host backend: OpenBLAS for matrix products, specialised loops (FP32 add/sub/mul/div, sums, exp, sigmoid,
 * silu, tanh and tanh-gelu in C with AVX2 where the build compiled them, {@link io.nabla.backend.cpu.NativeLoops})
 * and both cores for the rest. Depends on io.nabla.backend and io.nabla.backend.reference.
 */
package io.nabla.backend.cpu;
