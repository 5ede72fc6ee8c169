package io.nabla.backend.cuda;

/** One generated kernel: its unique name (the signature: op, dtypes, contiguity) and its CUDA C (no prelude). */
record Kernel(String name, String source) {
}
