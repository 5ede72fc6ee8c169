package io.nabla.backend;

/** Convolution and pooling kernels (im2col/col2im, max/avg pooling forward and backward). */
public interface ConvKernels {
}
