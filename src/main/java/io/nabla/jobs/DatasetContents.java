package io.nabla.jobs;

import io.nabla.inference.InferenceException;
import io.nabla.model.SafetensorsEntry;
import io.nabla.model.SafetensorsFile;
import io.nabla.tensor.Shape;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What a valid dataset file holds: at least one tensor, every tensor at least 1-D, all sharing their first
 * dimension N >= 1 (the samples). Each refusal is an {@link InferenceException} (400) naming the tensor(s) and sizes.
 *
 * @param size N, the number of samples
 * @param tensors every tensor by name, in file order
 */
record DatasetContents(long size, Map<String, TensorInfo> tensors) {

    /** Checks an opened (already header-validated) safetensors file and describes it. */
    static DatasetContents of(SafetensorsFile file) {
        List<SafetensorsEntry> entries = file.entries();
        if (entries.isEmpty()) {
            throw InferenceException.invalid("the dataset file holds no tensors; a dataset needs at least one tensor"
                    + " whose first dimension is the number of samples, e.g. 'input' (N, 784) and 'target' (N)");
        }
        SafetensorsEntry first = null;
        Map<String, TensorInfo> tensors = new LinkedHashMap<>();
        for (SafetensorsEntry e : entries) {
            int[] shape = e.shape();
            if (shape.length == 0) {
                throw InferenceException.invalid("dataset tensor '" + e.name() + "' is a scalar (0-d, shape ());"
                        + " every tensor needs a first dimension N, the number of samples");
            }
            if (first == null) {
                first = e;
            } else if (shape[0] != first.shape()[0]) {
                throw InferenceException.invalid("dataset tensors must share their first dimension (the number of"
                        + " samples): '" + first.name() + "' has " + first.shape()[0] + " (shape "
                        + Shape.format(first.shape()) + "), '" + e.name() + "' has " + shape[0] + " (shape "
                        + Shape.format(shape) + ")");
            }
            tensors.put(e.name(), new TensorInfo(e.dtype().safetensorsCode(), longs(shape)));
        }
        if (first.shape()[0] == 0) {
            throw InferenceException.invalid("the dataset has no samples: the first dimension of '" + first.name()
                    + "' (shape " + Shape.format(first.shape()) + ") is 0; it must be >= 1");
        }
        return new DatasetContents(first.shape()[0], tensors);
    }

    private static List<Long> longs(int[] shape) {
        List<Long> out = new ArrayList<>(shape.length);
        for (int d : shape) {
            out.add((long) d);
        }
        return out;
    }
}
