package io.nabla.web;

import io.nabla.backend.DType;
import io.nabla.inference.InferenceException;
import io.nabla.inference.InputTensor;
import io.nabla.tensor.Tensor;
import java.util.Arrays;

/**
 * One entry of a request's {@code inputs} while it is being read. Its tensor is allocated as soon as both
 * {@code shape} and {@code datatype} are known and checked against the limits, so numbers go straight into it;
 * numbers that come earlier wait in a {@link ValueBuffer}.
 */
final class InputDraft {

    final String field;
    String name;
    DType dtype;
    long[] shape;
    Long binarySize;
    boolean hasData;
    long numel = -1;
    Tensor tensor;
    TensorFiller filler;
    ValueBuffer early;
    /** How data that came before the shape was nested; checked against the shape once it is known. */
    DataNesting nesting;

    InputDraft(int index) {
        this.field = "inputs[" + index + "]";
    }

    boolean described() {
        return dtype != null && shape != null;
    }

    int[] intShape() {
        int[] s = new int[shape.length];
        for (int i = 0; i < s.length; i++) {
            s[i] = (int) shape[i];
        }
        return s;
    }

    String shapeText() {
        return Arrays.toString(shape);
    }

    /** Allocates the tensor (limits were checked by the caller) and returns the sink for its data. */
    TensorFiller allocate() {
        tensor = Tensor.empty(dtype, intShape());
        filler = new TensorFiller(field + ".data", dtype, tensor.memory().hostBuffer(), numel, shapeText());
        return filler;
    }

    /** The byte size the binary data of this input must have: {@code prod(shape) * sizeof(datatype)}. */
    long expectedBytes() {
        return numel * dtype.itemSize();
    }

    /** Checks the entry is complete and consistent once its object ended. */
    void finish() {
        if (name == null) {
            throw InferenceException.invalid(field + ".name is missing");
        }
        if (shape == null) {
            throw InferenceException.invalid(field + " ('" + name + "'): shape is missing");
        }
        if (dtype == null) {
            throw InferenceException.invalid(field + " ('" + name + "'): datatype is missing");
        }
        if (hasData && binarySize != null) {
            throw InferenceException.invalid(field + " ('" + name + "') has both data and"
                    + " parameters.binary_data_size; send one of them");
        }
        if (!hasData && binarySize == null) {
            throw InferenceException.invalid(field + " ('" + name + "') has neither data nor"
                    + " parameters.binary_data_size");
        }
        if (binarySize != null && binarySize != expectedBytes()) {
            throw InferenceException.invalid(field + " ('" + name + "'): parameters.binary_data_size is " + binarySize
                    + " but shape " + shapeText() + " of " + dtype.inferenceName() + " needs " + numel + " x "
                    + dtype.itemSize() + " = " + expectedBytes() + " bytes");
        }
        if (filler != null && filler.count() != numel) {
            throw InferenceException.invalid(field + " ('" + name + "'): shape " + shapeText() + " needs " + numel
                    + " values, data has " + filler.count());
        }
    }

    InputTensor toInput() {
        return new InputTensor(name, dtype, intShape(), tensor);
    }
}
