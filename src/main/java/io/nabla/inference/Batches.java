package io.nabla.inference;

import io.nabla.tensor.Shape;
import io.nabla.tensor.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Stacks the inputs of compatible requests along dimension 0 and hands each request exactly its own rows of the
 * outputs. Runs on a model's worker thread, inside the batch's {@link io.nabla.tensor.TensorScope}.
 */
final class Batches {

    private Batches() {
    }

    /**
     * The key under which requests may share a forward pass: per input, in declaration order, its datatype and
     * sizes after dimension 0. Null when the model cannot batch (a fixed dimension 0).
     */
    static String stackKey(ModelSignature signature, InferenceCall call) {
        if (!signature.batchable()) {
            return null;
        }
        StringBuilder key = new StringBuilder();
        for (TensorSignature in : signature.inputs()) {
            InputTensor t = find(call, in.name());
            int[] shape = t.shape();
            key.append(in.name()).append(Arrays.toString(Arrays.copyOfRange(shape, 1, shape.length))).append(';');
        }
        return key.toString();
    }

    /** The model inputs of a batch, converted to the declared datatypes: (sum of rows, ...) per input. */
    static Map<String, Tensor> stack(ModelSignature signature, List<PendingCall> batch) {
        Map<String, Tensor> out = new HashMap<>();
        for (TensorSignature in : signature.inputs()) {
            if (batch.size() == 1) {
                out.put(in.name(), find(batch.get(0).call(), in.name()).data().dataAs(in.datatype()));
                continue;
            }
            int rows = 0;
            for (PendingCall p : batch) {
                rows += p.rows();
            }
            int[] shape = find(batch.get(0).call(), in.name()).shape();
            shape[0] = rows;
            Tensor stacked = Tensor.empty(in.datatype(), shape);
            int row = 0;
            for (PendingCall p : batch) {
                Tensor src = find(p.call(), in.name()).data();
                rowsOf(stacked, row, p.rows()).copyFrom(src);
                row += p.rows();
            }
            out.put(in.name(), stacked);
        }
        return out;
    }

    /**
     * Each request's outputs: the rows it contributed, of the outputs it asked for, in its order (declaration order
     * when it asked for all), converted to the declared datatypes.
     */
    static List<List<OutputTensor>> split(ModelSignature signature, Map<String, Tensor> outputs,
            List<PendingCall> batch) {
        int totalRows = 0;
        for (PendingCall p : batch) {
            totalRows += p.rows();
        }
        Map<String, Tensor> converted = new LinkedHashMap<>();
        for (TensorSignature o : signature.outputs()) {
            Tensor t = outputs.get(o.name());
            if (t == null) {
                throw new IllegalStateException("the model produced no output '" + o.name() + "'; it produced "
                        + outputs.keySet());
            }
            if (batch.size() > 1 && (t.dim() == 0 || t.size(0) != totalRows)) {
                throw new IllegalStateException("output '" + o.name() + "' has shape " + Shape.format(t.shape())
                        + ", expected " + totalRows + " rows for a batch of " + batch.size() + " requests");
            }
            converted.put(o.name(), t.dataAs(o.datatype()));
        }
        List<List<OutputTensor>> results = new ArrayList<>();
        int row = 0;
        for (PendingCall p : batch) {
            List<String> names = p.call().outputs().isEmpty() ? new ArrayList<>(converted.keySet())
                    : p.call().outputs();
            List<OutputTensor> mine = new ArrayList<>();
            for (String name : names) {
                Tensor t = converted.get(name);
                Tensor rows = batch.size() == 1 ? t : rowsOf(t, row, p.rows());
                mine.add(new OutputTensor(name, t.dtype(), rows.shape(), rows.toBytes()));
            }
            results.add(mine);
            row += p.rows();
        }
        return results;
    }

    /** A view of {@code count} rows of {@code t} starting at {@code start} (no copy). */
    static Tensor rowsOf(Tensor t, int start, int count) {
        int[] shape = t.shape();
        shape[0] = count;
        return t.asStrided(shape, t.strides(), t.offset() + (long) start * t.stride(0));
    }

    static InputTensor find(InferenceCall call, String name) {
        for (InputTensor t : call.inputs()) {
            if (t.name().equals(name)) {
                return t;
            }
        }
        throw new IllegalStateException("request has no input '" + name + "' (it was validated)");
    }
}
