package io.nabla.inference;

import io.nabla.backend.DType;

/**
 * One output of an inference: its rows for one request, as little-endian row-major bytes.
 *
 * @param name the output's name
 * @param datatype its datatype
 * @param shape its shape
 * @param data {@code prod(shape) * datatype.itemSize()} bytes
 */
public record OutputTensor(String name, DType datatype, int[] shape, byte[] data) {
}
