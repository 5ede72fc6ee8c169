package io.nabla.autograd;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.nabla.backend.DType;
import io.nabla.tensor.Tensor;
import io.nabla.tensor.TensorScope;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Bad arguments fail with an IllegalArgumentException naming the expected and the actual values. */
class LossArgumentTest {

    private TensorScope scope;

    @BeforeEach
    void open() {
        scope = TensorScope.open();
    }

    @AfterEach
    void close() {
        scope.close();
    }

    private static Tensor logits(int... shape) {
        return Tensor.zeros(DType.FP32, shape).requiresGrad(true);
    }

    private static Tensor classes(long... values) {
        return Tensor.of(values, values.length);
    }

    private static void fails(ThrowingCallable call, String... parts) {
        assertThatThrownBy(call).isExactlyInstanceOf(IllegalArgumentException.class).hasMessageContainingAll(parts);
    }

    @Test
    void crossEntropyTargets() {
        fails(() -> LossOps.crossEntropy(logits(4, 5), Tensor.zeros(DType.FP32, 4, 3)),
                "cross_entropy expects int64 class targets of shape (N) = (4)",
                "class probabilities of the input's shape (4, 5)", "got float32 (4, 3)");
        fails(() -> LossOps.crossEntropy(logits(4, 5), Tensor.of(new int[] {0, 1, 2, 3}, 4)),
                "int64 class targets of shape (N) = (4)", "got int32 (4)");
        fails(() -> LossOps.crossEntropy(logits(4, 5), classes(0, 1, 2)), "(N) = (4)", "got int64 (3)");
        fails(() -> LossOps.crossEntropy(logits(2, 3, 2, 2), Tensor.zeros(DType.INT64, 2, 2)),
                "(N, d1, d2) = (2, 2, 2)", "got int64 (2, 2)");
        fails(() -> LossOps.crossEntropy(logits(5), classes(1)), "() = ()", "got int64 (1)");
        fails(() -> LossOps.nllLoss(logits(4, 5), Tensor.zeros(DType.FP32, 4, 5)),
                "nll_loss expects int64 class targets of shape (N) = (4), got float32 (4, 5)");
        fails(() -> LossOps.crossEntropy(logits(4, 5), Tensor.zeros(DType.FP32, 4, 5), null, 0, "mean", 0),
                "ignore_index is not supported for class-probability targets", "got ignore_index 0");
    }

    @Test
    void classTargetsOutOfRange() {
        fails(() -> LossOps.crossEntropy(logits(4, 5), classes(0, 7, 1, 2)), "cross_entropy", "target 7",
                "5 classes");
        fails(() -> LossOps.nllLoss(logits(3, 5), classes(0, -1, 1)), "nll_loss", "target -1", "5 classes");
        fails(() -> LossOps.crossEntropy(logits(3, 5), classes(0, -100, 1), null, 2, "sum", 0), "target -100",
                "ignore_index 2");
        // the parallel CPU path reports it too
        long[] big = new long[5000];
        big[4321] = 12;
        fails(() -> LossOps.crossEntropy(logits(5000, 10), Tensor.of(big, 5000)), "target 12", "10 classes");
        // and the strided reference path
        Tensor strided = ShapeOps.transpose(logits(5, 4), 0, 1);
        fails(() -> LossOps.crossEntropy(strided, classes(0, 1, 9, 2)), "target 9", "5 classes");
    }

    @Test
    void crossEntropyOptions() {
        fails(() -> LossOps.crossEntropy(logits(4, 5), classes(0, 1, 2, 3), Tensor.ones(DType.FP32, 3), -100,
                "mean", 0), "weight of shape (C) = (5), got (3)");
        fails(() -> LossOps.crossEntropy(logits(4, 5), classes(0, 1, 2, 3), Tensor.ones(DType.INT64, 5), -100,
                "mean", 0), "floating-point weight, got int64");
        fails(() -> LossOps.nllLoss(logits(4, 5), classes(0, 1, 2, 3), Tensor.ones(DType.FP32, 5)
                .requiresGrad(true), -100, "mean"), "nll_loss has no gradient with respect to weight");
        fails(() -> LossOps.crossEntropy(logits(4, 5), classes(0, 1, 2, 3), null, -100, "mean", 1.5),
                "label_smoothing between 0.0 and 1.0, got 1.5");
        fails(() -> LossOps.crossEntropy(logits(4, 5), classes(0, 1, 2, 3), null, -100, "mean", -0.1),
                "got -0.1");
        fails(() -> LossOps.crossEntropy(logits(4, 5), classes(0, 1, 2, 3), null, -100, "avg", 0),
                "reduction must be one of 'none', 'mean', 'sum', got 'avg'");
        fails(() -> LossOps.crossEntropy(logits(4, 5), classes(0, 1, 2, 3), null, -100, "batchmean", 0),
                "got 'batchmean'");
        fails(() -> LossOps.crossEntropy(Tensor.zeros(DType.INT64, 4, 5), classes(0, 1, 2, 3)),
                "floating-point input, got int64");
        fails(() -> LossOps.crossEntropy(Tensor.scalar(1, DType.FP32), classes(0)),
                "input of shape (C), (N, C) or (N, C, d1, ...), got ()");
        fails(() -> LossOps.crossEntropy(null, classes(0)), "cross_entropy expects input to be a tensor, got null");
        fails(() -> LossOps.nllLoss(logits(2, 3), null), "nll_loss expects target to be a tensor, got null");
    }

    @Test
    void regressionArguments() {
        fails(() -> LossOps.mseLoss(logits(4, 3), Tensor.zeros(DType.FP32, 4, 2)),
                "mse_loss expects target of a shape that broadcasts with the input's (4, 3), got (4, 2)");
        fails(() -> LossOps.l1Loss(Tensor.zeros(DType.INT64, 3), Tensor.zeros(DType.INT32, 3)),
                "l1_loss expects floating-point input and target, got int64 and int32");
        fails(() -> LossOps.smoothL1Loss(logits(3), logits(3), "mean", -1), "beta >= 0, got -1.0");
        fails(() -> LossOps.mseLoss(logits(3), logits(3), "batchmean"),
                "mse_loss: reduction must be one of 'none', 'mean', 'sum', got 'batchmean'");
        fails(() -> LossOps.klDiv(logits(3), logits(3), "avg", false),
                "'none', 'mean', 'sum', 'batchmean', got 'avg'");
        fails(() -> LossOps.mseLoss(logits(3), logits(3), null), "got null");
        fails(() -> LossOps.mseLoss(logits(3), null), "mse_loss expects target to be a tensor, got null");
    }

    @Test
    void bceArguments() {
        String name = "binary_cross_entropy_with_logits";
        fails(() -> LossOps.binaryCrossEntropyWithLogits(logits(4, 3), Tensor.zeros(DType.FP32, 3)),
                name + " expects target of the input's shape (4, 3), got (3)");
        fails(() -> LossOps.binaryCrossEntropyWithLogits(logits(4, 3), Tensor.zeros(DType.FP32, 4, 3),
                Tensor.ones(DType.FP32, 4), null, "mean"), "weight broadcastable to the input's shape (4, 3), got (4)");
        fails(() -> LossOps.binaryCrossEntropyWithLogits(logits(4, 3), Tensor.zeros(DType.FP32, 4, 3), null,
                Tensor.ones(DType.FP32, 2, 4, 3), "mean"), "pos_weight broadcastable", "got (2, 4, 3)");
        fails(() -> LossOps.binaryCrossEntropyWithLogits(logits(4, 3), Tensor.zeros(DType.FP32, 4, 3), null,
                Tensor.ones(DType.FP32, 3).requiresGrad(true), "mean"), "no gradient with respect to pos_weight");
    }
}
