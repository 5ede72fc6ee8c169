package io.nabla.autograd;

import io.nabla.backend.DType;
import io.nabla.tensor.Tensor;

/**
 * Automatic mixed precision on this thread, as PyTorch's {@code torch.autocast(dtype=...)} with its CUDA op lists
 * (applied on every device, so a model computes the same on the CPU and on a GPU):
 *
 * <ul>
 *   <li>matrix products and convolutions ({@code matmul}, {@code mm}, {@code bmm}, {@code linear}, {@code conv1d},
 *       {@code conv2d}) cast their floating inputs to the region's dtype (FP16 or BF16) and return that dtype;
 *   <li>ops that need range or precision ({@code softmax}, {@code log_softmax}, {@code layer_norm},
 *       {@code group_norm}, {@code softplus} and every loss) cast their floating inputs to FP32 and return FP32;
 *       {@code batch_norm} computes in FP32 and returns its input's dtype (PyTorch's cuDNN batch norm does the same);
 *   <li>every other op runs in the dtype of its inputs, with the usual type promotion.
 * </ul>
 *
 * Only FP32, FP16 and BF16 tensors are cast (FP64 and integer tensors never are, as in PyTorch). The casts are
 * recorded in the graph, so gradients reach FP32 parameters in FP32. Backward runs outside autocast: each backward
 * rule computes in the dtypes of its forward op. Regions nest; closing one restores the previous state.
 */
public final class Autocast {

    private static final ThreadLocal<DType> DTYPE = new ThreadLocal<>();

    private Autocast() {
    }

    /** The lower-precision dtype of the current region on this thread, or null outside autocast. */
    public static DType dtype() {
        return DTYPE.get();
    }

    public static boolean isEnabled() {
        return DTYPE.get() != null;
    }

    /** Opens an autocast region computing matrix products in {@code lowPrecision}, FP16 or BF16. */
    public static Region enable(DType lowPrecision) {
        return set(checkDtype(lowPrecision));
    }

    /** {@code lowPrecision} when autocast can compute in it (FP16 or BF16), else an error naming it. */
    public static DType checkDtype(DType lowPrecision) {
        if (lowPrecision != DType.FP16 && lowPrecision != DType.BF16) {
            throw new IllegalArgumentException("autocast: expected dtype float16 or bfloat16, got "
                    + (lowPrecision == null ? "null" : lowPrecision.torchName()));
        }
        return lowPrecision;
    }

    /** Opens a region without autocast (PyTorch's {@code autocast(enabled=False)}). */
    public static Region disable() {
        return set(null);
    }

    private static Region set(DType dtype) {
        DType previous = DTYPE.get();
        DTYPE.set(dtype);
        return () -> DTYPE.set(previous);
    }

    /** {@code t} in the region's lower precision when autocast is on and t is eligible; else t itself. */
    static Tensor lower(Tensor t) {
        DType d = DTYPE.get();
        return d == null || !eligible(t) ? t : ShapeOps.to(t, d);
    }

    /** {@code t} in FP32 when autocast is on and t is eligible; else t itself. */
    static Tensor fp32(Tensor t) {
        return DTYPE.get() == null || !eligible(t) ? t : ShapeOps.to(t, DType.FP32);
    }

    private static boolean eligible(Tensor t) {
        if (t == null) {
            return false;
        }
        DType d = t.dtype();
        return d == DType.FP32 || d == DType.FP16 || d == DType.BF16;
    }

    /** An autocast region; closing it restores the previous state. */
    public interface Region extends AutoCloseable {
        @Override
        void close();
    }
}
