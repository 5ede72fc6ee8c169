package io.nabla.backend.cuda;

import io.nabla.backend.BlasMatrix;
import io.nabla.backend.DType;
import io.nabla.backend.Layout;
import io.nabla.backend.Memory;
import io.nabla.backend.reference.ReferenceLinalgKernels;
import org.bytedeco.cuda.global.cublas;
import org.bytedeco.cuda.global.cudart;
import org.bytedeco.javacpp.DoublePointer;
import org.bytedeco.javacpp.Pointer;

/**
 * Matrix products through cuBLAS ({@code cublasGemmEx}, {@code cublasGemmStridedBatchedEx}) for FP32, FP64, FP16
 * and BF16 views that have a BLAS form; integer dtypes and other views run the reference's dot products as generated
 * CUDA C ({@link GemmSource}). Row-major operands use the transpose trick: a row-major C is the
 * column-major C^T = B^T A^T, so cuBLAS gets B first. FP16/BF16 accumulate in FP32; FP32 computes as
 * {@link MatmulPrecision} says (FP32 by default). Validation is the reference kernel's.
 */
final class CudaLinalgKernels extends ReferenceLinalgKernels {

    private final CudaContext ctx;
    private final MatmulPrecision precision;

    CudaLinalgKernels(CudaContext ctx, MatmulPrecision precision) {
        this.ctx = ctx;
        this.precision = precision;
    }

    /** No INT8 kernels on the GPU: refused as the SPI's default refuses, not run by the host loops. */
    @Override
    public int quantizeRows(Memory x, long xOffset, int m, int k, Memory q, Memory scale, Memory zeroPoint) {
        throw new IllegalArgumentException("INT8 quantized layers run on the CPU only, not on " + ctx.device);
    }

    @Override
    public void int8Linear(Memory q, Memory scale, Memory zeroPoint, int m, int k, Memory w, Memory wScale,
                           Memory wSum, Memory bias, Memory y, int n) {
        throw new IllegalArgumentException("INT8 quantized layers run on the CPU only, not on " + ctx.device);
    }

    @Override
    protected void compute(double alpha, Memory a, Layout aLayout, Memory b, Layout bLayout, double beta,
                           Memory c, Layout cLayout, DType dtype, GemmShape s) {
        ctx.requireDevice(a, "gemm operand A");
        ctx.requireDevice(b, "gemm operand B");
        ctx.requireDevice(c, "gemm output C");
        BlasMatrix ma = BlasMatrix.of(aLayout);
        BlasMatrix mb = BlasMatrix.of(bLayout);
        BlasMatrix mc = BlasMatrix.of(cLayout);
        if (!dtype.isFloatingPoint() || ma == null || mb == null || mc == null || (s.k() == 0 && beta != 0)) {
            generic(alpha, a, aLayout, b, bLayout, beta, c, cLayout, dtype, s);
            return;
        }
        if (s.k() == 0) {
            ctx.run(ElementwiseSource.fill(dtype, false), cLayout.numel(), new Launch().i64(cLayout.numel()).f64(0)
                    .f64(0).layout(cLayout).ptr(c));
            return;
        }
        long[][] off = batchOffsets(s, aLayout, bLayout, cLayout);
        boolean cRow = mc.rowMajor();
        // column-major call: C' (m' x n') = op(first) op(second)
        int opFirst = cRow ? op(!mb.rowMajor()) : op(ma.rowMajor());
        int opSecond = cRow ? op(!ma.rowMajor()) : op(mb.rowMajor());
        int m2 = cRow ? s.n() : s.m();
        int n2 = cRow ? s.m() : s.n();
        int ldFirst = cRow ? mb.ld() : ma.ld();
        int ldSecond = cRow ? ma.ld() : mb.ld();
        long[] offFirst = cRow ? off[1] : off[0];
        long[] offSecond = cRow ? off[0] : off[1];
        Memory first = cRow ? b : a;
        Memory second = cRow ? a : b;
        int item = dtype.itemSize();
        int type = dataType(dtype);
        int compute = dtype == DType.FP64 ? cublas.CUBLAS_COMPUTE_64F
                : dtype == DType.FP32 ? precision.computeType() : cublas.CUBLAS_COMPUTE_32F;
        Pointer al = scalar(dtype, 0, alpha);
        Pointer be = scalar(dtype, 1, beta);
        long[] strides = off[2].length == 1 ? null : uniformStrides(offFirst, offSecond, off[2]);
        if (strides != null) {
            Launch.COUNT.increment();
            CublasHandles.check(cublas.cublasGemmStridedBatchedEx(ctx.cublas.current(), opFirst, opSecond, m2, n2,
                    s.k(), al, CudaRuntime.at(first.address() + offFirst[0] * item), type, ldFirst, strides[0],
                    CudaRuntime.at(second.address() + offSecond[0] * item), type, ldSecond, strides[1], be,
                    CudaRuntime.at(c.address() + off[2][0] * item), type, mc.ld(), strides[2], off[2].length,
                    compute, cublas.CUBLAS_GEMM_DEFAULT), "cublasGemmStridedBatchedEx");
            return;
        }
        // one product (cuBLAS's heuristics pick faster kernels for a plain GEMM than for a batch of one), or
        // batch entries that are not evenly spaced
        for (int t = 0; t < off[2].length; t++) {
            Launch.COUNT.increment();
            CublasHandles.check(cublas.cublasGemmEx(ctx.cublas.current(), opFirst, opSecond, m2, n2, s.k(), al,
                    CudaRuntime.at(first.address() + offFirst[t] * item), type, ldFirst,
                    CudaRuntime.at(second.address() + offSecond[t] * item), type, ldSecond, be,
                    CudaRuntime.at(c.address() + off[2][t] * item), type, mc.ld(), compute,
                    cublas.CUBLAS_GEMM_DEFAULT), "cublasGemmEx");
        }
    }

    /** The reference's dot products as generated CUDA C, one thread per element of C (see {@link GemmSource}). */
    private void generic(double alpha, Memory a, Layout aLayout, Memory b, Layout bLayout, double beta, Memory c,
                         Layout cLayout, DType dtype, GemmShape s) {
        int r = cLayout.rank();
        long n = cLayout.numel();
        ctx.run("gemm_" + CudaC.tag(dtype), () -> GemmSource.gemm(dtype), n, new Launch().i64(n).i64(s.k()).f64(alpha)
                .f64(beta).i64(aLayout.strides()[r - 1]).layout(GemmSource.rowsOver(aLayout, cLayout)).ptr(a)
                .i64(bLayout.strides()[r - 2]).layout(GemmSource.colsOver(bLayout, cLayout)).ptr(b).layout(cLayout)
                .ptr(c));
    }

    private static int op(boolean transpose) {
        return transpose ? cublas.CUBLAS_OP_T : cublas.CUBLAS_OP_N;
    }

    /** Per-operand batch strides when every operand's batch entries are evenly spaced, else null. */
    private static long[] uniformStrides(long[]... offsets) {
        long[] out = new long[offsets.length];
        for (int i = 0; i < offsets.length; i++) {
            long[] o = offsets[i];
            out[i] = o.length > 1 ? o[1] - o[0] : 0;
            for (int t = 2; t < o.length; t++) {
                if (o[t] - o[t - 1] != out[i]) {
                    return null;
                }
            }
        }
        return out;
    }

    private static int dataType(DType t) {
        return switch (t) {
            case FP32 -> cudart.CUDA_R_32F;
            case FP64 -> cudart.CUDA_R_64F;
            case FP16 -> cudart.CUDA_R_16F;
            case BF16 -> cudart.CUDA_R_16BF;
            default -> throw new IllegalArgumentException("no cuBLAS type for " + t);
        };
    }

    /** This thread's two host words for alpha (0) and beta (1), kept for the thread's life. */
    private static final ThreadLocal<Scalars> SCALARS = ThreadLocal.withInitial(Scalars::new);

    /**
     * alpha ({@code slot} 0) or beta (1) in this thread's host memory, of the compute type's scalar type (double for
     * FP64, float otherwise). cuBLAS reads host scalars during the call (CUBLAS_POINTER_MODE_HOST), so the words are
     * free again for the next call.
     */
    private static Pointer scalar(DType t, int slot, double v) {
        Scalars s = SCALARS.get();
        if (t == DType.FP64) {
            s.view.putDouble(8 * slot, v);
        } else {
            s.view.putFloat(8 * slot, (float) v);
        }
        return CudaRuntime.at(s.address + 8L * slot);
    }

    private static final class Scalars {
        final DoublePointer words = new DoublePointer(2);
        final long address = words.address();
        final java.nio.ByteBuffer view = words.asByteBuffer().order(java.nio.ByteOrder.nativeOrder());
    }
}
