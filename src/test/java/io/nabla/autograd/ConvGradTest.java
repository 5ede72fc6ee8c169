package io.nabla.autograd;

import static io.nabla.autograd.GradCheck.randn;

import io.nabla.tensor.Tensor;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Finite-difference checks (float64) of conv2d over its arguments, and of the three poolings. */
class ConvGradTest {

    private final Random rnd = new Random(11);

    @AfterEach
    void restoreBudget() {
        ConvPlan.columnBudget = ConvPlan.COLUMN_BUDGET;
    }

    private void conv(String what, int[] in, int[] w, boolean bias, int[] stride, int[] pad, int[] dil, int groups) {
        Tensor x = randn(rnd, false, in);
        Tensor k = randn(rnd, false, w);
        if (bias) {
            GradCheck.check("conv2d " + what, t -> ConvOps.conv2d(t[0], t[1], t[2], stride, pad, dil, groups), x, k,
                    randn(rnd, false, w[0]));
        } else {
            GradCheck.check("conv2d " + what, t -> ConvOps.conv2d(t[0], t[1], null, stride, pad, dil, groups), x, k);
        }
    }

    @Test
    void conv2dArguments() {
        int[] one = {1};
        int[] zero = {0};
        conv("basic", new int[] {2, 2, 5, 5}, new int[] {3, 2, 3, 3}, true, one, zero, one, 1);
        conv("stride 2 pad 1", new int[] {1, 2, 6, 5}, new int[] {2, 2, 3, 3}, true, new int[] {2}, one, one, 1);
        conv("rect stride/pad", new int[] {1, 2, 6, 5}, new int[] {2, 2, 2, 3}, true, new int[] {2, 1},
                new int[] {1, 0}, one, 1);
        conv("dilation 2", new int[] {1, 1, 7, 7}, new int[] {2, 1, 3, 3}, false, one, new int[] {2},
                new int[] {2}, 1);
        conv("groups 2", new int[] {1, 4, 4, 4}, new int[] {4, 2, 3, 3}, true, one, one, one, 2);
        conv("depthwise", new int[] {2, 3, 4, 4}, new int[] {3, 1, 3, 3}, true, one, one, one, 3);
        conv("pointwise", new int[] {2, 3, 3, 4}, new int[] {2, 3, 1, 1}, true, one, zero, one, 1);
        conv("pointwise groups", new int[] {1, 4, 3, 3}, new int[] {6, 2, 1, 1}, false, one, zero, one, 2);
    }

    @Test
    void conv2dInChunksAndOnOddInputs() {
        ConvPlan.columnBudget = 1; // one image per chunk
        conv("chunked", new int[] {3, 2, 4, 4}, new int[] {2, 2, 3, 3}, true, new int[] {1}, new int[] {1},
                new int[] {1}, 1);
        conv("chunked pointwise", new int[] {3, 2, 3, 3}, new int[] {2, 2, 1, 1}, true, new int[] {1},
                new int[] {0}, new int[] {1}, 1);
        ConvPlan.columnBudget = ConvPlan.COLUMN_BUDGET;
        Tensor channelsLast = ShapeOps.permute(randn(rnd, false, 2, 5, 4, 3).detach(), 0, 3, 1, 2).detach()
                .requiresGrad(true); // (2, 3, 5, 4), not contiguous
        GradCheck.check("conv2d non-contiguous input", t -> ConvOps.conv2d(t[0], t[1], t[2], new int[] {1},
                new int[] {1}, new int[] {1}, 1), channelsLast, randn(rnd, true, 2, 3, 3, 3), randn(rnd, false, 2));
        GradCheck.check("conv2d unbatched", t -> ConvOps.conv2d(t[0], t[1], t[2], new int[] {1}, new int[] {0},
                new int[] {1}, 1), randn(rnd, false, 2, 4, 4), randn(rnd, false, 3, 2, 2, 2), randn(rnd, false, 3));
    }

    @Test
    void maxPool() {
        GradCheck.check("max_pool2d k2", t -> ConvOps.maxPool2d(t[0], new int[] {2}, null, new int[] {0}),
                randn(rnd, false, 2, 2, 4, 5));
        GradCheck.check("max_pool2d k3 s2 p1", t -> ConvOps.maxPool2d(t[0], new int[] {3}, new int[] {2},
                new int[] {1}), randn(rnd, false, 1, 2, 7, 6));
        GradCheck.check("max_pool2d overlapping, transposed", t -> ConvOps.maxPool2d(t[0], new int[] {3, 2},
                new int[] {1}, new int[] {1, 0}), randn(rnd, true, 1, 2, 5, 4));
        GradCheck.check("max_pool2d k3 s2 p1 dilation 2x1 ceil_mode", t -> ConvOps.maxPool2d(t[0], new int[] {3},
                new int[] {2}, new int[] {1}, new int[] {2, 1}, true), randn(rnd, false, 1, 2, 8, 6));
    }

    @Test
    void avgPool() {
        for (boolean include : new boolean[] {true, false}) {
            GradCheck.check("avg_pool2d k3 s2 p1 include_pad=" + include, t -> ConvOps.avgPool2d(t[0],
                    new int[] {3}, new int[] {2}, new int[] {1}, include), randn(rnd, false, 1, 2, 7, 6));
        }
        GradCheck.check("avg_pool2d rect, transposed", t -> ConvOps.avgPool2d(t[0], new int[] {2, 3},
                new int[] {1, 2}, new int[] {1}, true), randn(rnd, true, 2, 1, 5, 6));
        for (boolean include : new boolean[] {true, false}) {
            // ceil mode: the last windows run past the padded input (7 -> 4 rows, 6 -> 3 columns of windows)
            GradCheck.check("avg_pool2d k3 s2 p1 ceil_mode include_pad=" + include, t -> ConvOps.avgPool2d(t[0],
                    new int[] {3, 2}, new int[] {2}, new int[] {1, 0}, include, true), randn(rnd, false, 1, 2, 8, 5));
        }
        GradCheck.check("avg_pool2d unbatched", t -> ConvOps.avgPool2d(t[0], new int[] {2}, null, new int[] {0},
                true), randn(rnd, false, 2, 4, 4));
    }

    @Test
    void adaptiveAvgPool() {
        GradCheck.check("adaptive 2x3 of 5x7", t -> ConvOps.adaptiveAvgPool2d(t[0], new int[] {2, 3}),
                randn(rnd, false, 1, 2, 5, 7));
        GradCheck.check("adaptive 1x1", t -> ConvOps.adaptiveAvgPool2d(t[0], new int[] {1}),
                randn(rnd, false, 2, 2, 3, 3));
        GradCheck.check("adaptive larger than input, transposed", t -> ConvOps.adaptiveAvgPool2d(t[0],
                new int[] {5, 4}), randn(rnd, true, 1, 2, 3, 2));
    }
}
