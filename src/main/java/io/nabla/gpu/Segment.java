package io.nabla.gpu;

/**
 * One {@code cudaMalloc}: {@code size} bytes at {@code base}, used for requests on one {@code stream} only, in the small
 * or the large pool. Its blocks start at {@code first}.
 */
final class Segment {

    final long base;
    final long size;
    final long stream;
    final boolean small;
    Block first;

    Segment(long base, long size, long stream, boolean small) {
        this.base = base;
        this.size = size;
        this.stream = stream;
        this.small = small;
    }
}
