package io.nabla.backend;

import java.nio.ByteBuffer;

/**
 * The arithmetic of INT8 dynamic quantization (a matrix product with INT8 weights and activations quantized to
 * UINT8 as they arrive, as {@code torch.ao.quantization.quantize_dynamic} does for {@code nn.Linear}), defined once
 * here and computed to the same bits by every kernel ({@link LinalgKernels#quantizeRows},
 * {@link LinalgKernels#int8Linear}).
 *
 * <p>Weights, per output row (PyTorch's {@code per_channel_symmetric} {@code qint8}, bit for bit):
 * {@code scale = max(amax / 127.5f, FLT_EPSILON)} with {@code amax} the row's largest magnitude, and
 * {@code q = clamp(rint(w * (1f / scale)), -128, 127)} in float arithmetic, zero point 0.
 *
 * <p>Activations, per row of the input (not per tensor as in PyTorch: a row's answer must not depend on the other
 * requests batched with it): over {@code [lo, hi] = [min(0, min x), max(0, max x)]} in 255 steps,
 * {@code scale = (float) (((double) hi - lo) / 255)} (0.1 when that is 0 or its reciprocal overflows, as in
 * PyTorch), zero point {@code clamp(rint(-lo / (double) scale), 0, 255)} and {@code q = clamp(rint(x * (1f / scale))
 * + zp, 0, 255)}, the product in float. A row holding a NaN or an infinity has no quantization: it gets the scale
 * NaN and values 0, so its outputs are NaN (where FP32 arithmetic would give NaN or infinities), and the other rows
 * are unaffected.
 *
 * <p>Output: {@code acc = sum_k (qx - zx) qw} exactly (int32 holds it for {@code k <= } {@link #MAX_K}), then
 * {@code y = (float) (acc * ((double) sx * sw) + bias)} in double arithmetic, one rounding to float at the end.
 */
public final class Int8 {

    /** The longest row: beyond it the int32 sum of (qx - zx) qw could overflow. */
    public static final int MAX_K = 65536;
    private static final float EPS = 0x1.0p-23f;

    private Int8() {
    }

    /** The scale of a weight row whose largest magnitude is {@code amax}. */
    public static float weightScale(float amax) {
        return Math.max(amax / 127.5f, EPS);
    }

    /** A weight quantized with the reciprocal {@code inv} of its row's scale. */
    public static int quantizeWeight(float w, float inv) {
        return (int) Math.max(-128, Math.min(127, Math.rint(w * inv)));
    }

    /** The scale of an activation row spanning {@code [lo, hi]} (lo &lt;= 0 &lt;= hi, finite). */
    public static float rowScale(float lo, float hi) {
        float s = (float) (((double) hi - (double) lo) / 255.0);
        return s == 0f || Float.isInfinite(1f / s) ? 0.1f : s;
    }

    /** The zero point of an activation row spanning {@code [lo, hi]} with {@code scale}. */
    public static int rowZeroPoint(float lo, float scale) {
        return (int) Math.max(0, Math.min(255, Math.rint(-(double) lo / scale)));
    }

    /** An activation quantized with the reciprocal {@code inv} of its row's scale and zero point {@code zp}. */
    public static int quantizeActivation(float x, float inv, int zp) {
        return (int) Math.max(0, Math.min(255, Math.rint(x * inv) + zp));
    }

    /** The output from the exact sum {@code acc} and the two scales, without bias. */
    public static float output(long acc, float rowScale, float weightScale) {
        return (float) ((double) acc * ((double) rowScale * (double) weightScale));
    }

    /** The output from the exact sum {@code acc}, the two scales and the bias. */
    public static float output(long acc, float rowScale, float weightScale, float bias) {
        return (float) ((double) acc * ((double) rowScale * (double) weightScale) + (double) bias);
    }

    /**
     * Quantizes the {@code n x k} FP32 weight at element {@code offset} of {@code w} (rows contiguous) on the host:
     * {@code q} (INT8, n x k), the row scales {@code scale} (FP32, n) and the row sums of q {@code sum} (INT32, n,
     * what the product subtracts {@code zx} times). Refuses a non-finite weight, naming its row and column.
     */
    public static void quantizeWeights(Memory w, long offset, int n, int k, Memory q, Memory scale, Memory sum) {
        ByteBuffer in = w.hostBuffer();
        ByteBuffer qb = q.hostBuffer();
        ByteBuffer sb = scale.hostBuffer();
        ByteBuffer rb = sum.hostBuffer();
        for (int j = 0; j < n; j++) {
            long row = offset + (long) j * k;
            float amax = 0;
            for (int i = 0; i < k; i++) {
                float v = in.getFloat(Math.toIntExact((row + i) * 4));
                if (!Float.isFinite(v)) {
                    throw new IllegalArgumentException("weight[" + j + ", " + i + "] is " + v + ": INT8 quantization "
                            + "needs finite weights");
                }
                amax = Math.max(amax, Math.abs(v));
            }
            float s = weightScale(amax);
            float inv = 1f / s;
            int total = 0;
            for (int i = 0; i < k; i++) {
                int v = quantizeWeight(in.getFloat(Math.toIntExact((row + i) * 4)), inv);
                qb.put(Math.toIntExact((long) j * k + i), (byte) v);
                total += v;
            }
            sb.putFloat(j * 4, s);
            rb.putInt(j * 4, total);
        }
    }
}
