package io.nabla.inference;

import java.util.List;

/**
 * The inputs and outputs of a model, as its spec declares them.
 *
 * @param inputs the inputs, in declaration order
 * @param outputs the outputs, in declaration order
 */
public record ModelSignature(List<TensorSignature> inputs, List<TensorSignature> outputs) {

    public ModelSignature {
        inputs = List.copyOf(inputs);
        outputs = List.copyOf(outputs);
    }

    /** True when every input and output has a variable dimension 0, so requests can be stacked along it. */
    public boolean batchable() {
        return inputs.stream().allMatch(TensorSignature::batchable)
                && outputs.stream().allMatch(TensorSignature::batchable);
    }

    public TensorSignature input(String name) {
        return inputs.stream().filter(t -> t.name().equals(name)).findFirst().orElse(null);
    }

    public TensorSignature output(String name) {
        return outputs.stream().filter(t -> t.name().equals(name)).findFirst().orElse(null);
    }
}
