package io.nabla.web;

import io.nabla.backend.DType;
import io.nabla.model.SafetensorsWriter;
import io.nabla.tensor.Tensor;
import io.nabla.tensor.TensorScope;
import java.util.LinkedHashMap;
import java.util.Map;

/** safetensors files for the integration tests. */
final class Weights {

    private Weights() {
    }

    /** One FP32 tensor {@code name}: an n x n diagonal matrix holding {@code scale}. */
    static byte[] diagonal(String name, int n, double scale) {
        float[] w = new float[n * n];
        for (int i = 0; i < n; i++) {
            w[i * n + i] = (float) scale;
        }
        return file(Map.of(name, w), Map.of(name, new int[] {n, n}));
    }

    /** FP32 tensors by name, with their shapes. */
    static byte[] file(Map<String, float[]> data, Map<String, int[]> shapes) {
        try (TensorScope scope = TensorScope.open()) {
            Map<String, Tensor> tensors = new LinkedHashMap<>();
            data.forEach((k, v) -> tensors.put(k, Tensor.of(v, shapes.get(k))));
            return SafetensorsWriter.toBytes(tensors, Map.of("format", "pt"));
        }
    }

    /** A file with one tensor of the given dtype and shape (zeros). */
    static byte[] zeros(String name, DType dtype, int... shape) {
        try (TensorScope scope = TensorScope.open()) {
            return SafetensorsWriter.toBytes(Map.of(name, Tensor.zeros(dtype, shape)), Map.of("format", "pt"));
        }
    }
}
