package io.nabla.inference;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/** Checks a decoded request against the model's signature before it is queued; every failure is a 400. */
final class CallCheck {

    private CallCheck() {
    }

    static void check(String model, ModelSignature signature, InferenceCall call) {
        Set<String> seen = new HashSet<>();
        for (InputTensor in : call.inputs()) {
            TensorSignature decl = signature.input(in.name());
            if (decl == null) {
                throw InferenceException.invalid("unknown input '" + in.name() + "': model '" + model
                        + "' has inputs " + names(signature.inputs()));
            }
            if (!seen.add(in.name())) {
                throw InferenceException.invalid("input '" + in.name() + "' appears more than once");
            }
            String mismatch = decl.mismatch(in.shape());
            if (mismatch != null) {
                throw InferenceException.invalid(mismatch);
            }
        }
        List<String> missing = new ArrayList<>();
        for (TensorSignature decl : signature.inputs()) {
            if (!seen.contains(decl.name())) {
                missing.add(decl.name());
            }
        }
        if (!missing.isEmpty()) {
            throw InferenceException.invalid("missing input(s) " + missing + ": model '" + model + "' needs "
                    + names(signature.inputs()));
        }
        if (signature.batchable() && call.inputs().size() > 1) {
            int rows = call.inputs().get(0).rows();
            for (InputTensor in : call.inputs()) {
                if (in.rows() != rows) {
                    throw InferenceException.invalid("inputs must have the same batch size (dimension 0): '"
                            + call.inputs().get(0).name() + "' has " + rows + ", '" + in.name() + "' has "
                            + in.rows());
                }
            }
        }
        Set<String> asked = new HashSet<>();
        for (String out : call.outputs()) {
            if (signature.output(out) == null) {
                throw InferenceException.invalid("unknown output '" + out + "': model '" + model + "' has outputs "
                        + names(signature.outputs()));
            }
            if (!asked.add(out)) {
                throw InferenceException.invalid("output '" + out + "' is asked for more than once");
            }
        }
    }

    private static List<String> names(List<TensorSignature> ts) {
        return ts.stream().map(TensorSignature::name).toList();
    }
}
