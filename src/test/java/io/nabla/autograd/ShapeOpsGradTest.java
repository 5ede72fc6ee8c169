package io.nabla.autograd;

import static io.nabla.autograd.GradCheck.randn;

import io.nabla.backend.DType;
import io.nabla.tensor.Tensor;
import java.util.Random;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/**
 * Float64 finite differences for every view and shape op of {@link ShapeOps}, on contiguous and transposed
 * (non-contiguous) inputs. Each op is followed by a multiplication with a fixed random tensor inside the checked
 * function so that every element of the view carries a distinct weight.
 */
class ShapeOpsGradTest {

    private static void both(String name, Function<Tensor, Tensor> op, int... shape) {
        Random rnd = new Random(name.hashCode());
        for (boolean transposed : new boolean[] {false, true}) {
            Tensor x = randn(rnd, transposed, shape);
            GradCheck.check(name + (transposed ? " (transposed input)" : ""), in -> op.apply(in[0]), x);
        }
    }

    @Test
    void views() {
        both("view", t -> ShapeOps.view(ShapeOps.contiguous(t), 6, -1), 3, 4);
        both("reshape", t -> ShapeOps.reshape(t, 2, 6), 3, 4);
        both("flatten", t -> ShapeOps.flatten(t, 0, 1), 2, 3, 4);
        both("transpose", t -> ShapeOps.transpose(t, 0, 2), 2, 3, 4);
        both("t", ShapeOps::t, 3, 5);
        both("permute", t -> ShapeOps.permute(t, 2, 0, 1), 2, 3, 4);
        both("expand", t -> ShapeOps.expand(t, 4, 3, 5), 3, 1);
        both("broadcastTo", t -> ShapeOps.broadcastTo(t, 2, 3, 4), 3, 4);
        both("slice", t -> ShapeOps.slice(t, 1, 1, 5, 2), 3, 5);
        both("narrow", t -> ShapeOps.narrow(t, 0, 1, 2), 4, 3);
        both("select", t -> ShapeOps.select(t, 1, -1), 3, 4);
        both("squeeze", ShapeOps::squeeze, 3, 1);
        both("squeeze dim", t -> ShapeOps.squeeze(t, 1), 4, 1);
        both("unsqueeze", t -> ShapeOps.unsqueeze(t, 1), 3, 4);
        both("contiguous", ShapeOps::contiguous, 3, 4);
        both("clone", ShapeOps::clone, 3, 4);
    }

    @Test
    void chainsOfViewsAndDtypeRoundTrips() {
        both("slice of a transpose of an expand", t -> ShapeOps.slice(ShapeOps.transpose(ShapeOps.expand(t, 3, 4, 2),
                0, 2), 2, 0, 3, 2), 4, 1);
        // through float32 the function is a staircase at 1e-6: difference over a wider step
        Tensor x = randn(new Random(7), true, 3, 4);
        GradCheck.check("to float32 and back", in -> ShapeOps.to(ShapeOps.to(in[0], DType.FP32), DType.FP64), 1e-2,
                1e-4, 1e-4, x);
    }
}
