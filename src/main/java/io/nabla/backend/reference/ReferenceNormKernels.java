package io.nabla.backend.reference;

import io.nabla.backend.DType;
import io.nabla.backend.ElementAccess;
import io.nabla.backend.Layout;
import io.nabla.backend.Memory;
import io.nabla.backend.NormKernels;
import io.nabla.backend.StridedCursor;
import java.nio.ByteBuffer;

/**
 * Scalar reference implementation of {@link NormKernels}, in double, any strides. Every kernel walks groups with
 * {@link ReductionGroups}: softmax groups are lines along one dimension, layer-norm groups are rows of the trailing
 * dimensions, batch-norm groups are channels; weights and statistics join the walk as broadcast operands. The
 * whole family lives in one class because its kernels share these group loops, hence its length.
 */
public class ReferenceNormKernels implements NormKernels {

    @Override
    public void softmax(boolean log, int dim, Operand in, Operand out, DType dtype) {
        int[] shape = in.layout().shape();
        ReductionGroups groups = new ReductionGroups(shape, ReductionGroups.mask(shape.length, dim), in.layout(),
                out.layout());
        Buffers b = new Buffers(dtype, in.memory(), out.memory());
        long n = groups.size();
        for (long k = 0; k < groups.count(); k++, groups.next()) {
            double max = Double.NEGATIVE_INFINITY;
            StridedCursor c = groups.inner();
            for (long i = 0; i < n; i++, c.next()) {
                max = Math.max(max, b.get(0, c));
            }
            double sum = 0;
            c = groups.inner();
            for (long i = 0; i < n; i++, c.next()) {
                sum += Math.exp(b.get(0, c) - max);
            }
            double logSum = Math.log(sum);
            c = groups.inner();
            for (long i = 0; i < n; i++, c.next()) {
                double shifted = b.get(0, c) - max;
                b.put(1, c, log ? shifted - logSum : Math.exp(shifted) / sum);
            }
        }
    }

    @Override
    public void softmaxBackward(boolean log, int dim, Operand out, Operand gradOut, Operand gradIn, DType dtype) {
        int[] shape = out.layout().shape();
        ReductionGroups groups = new ReductionGroups(shape, ReductionGroups.mask(shape.length, dim), out.layout(),
                gradOut.layout(), gradIn.layout());
        Buffers b = new Buffers(dtype, out.memory(), gradOut.memory(), gradIn.memory());
        long n = groups.size();
        for (long k = 0; k < groups.count(); k++, groups.next()) {
            double acc = 0;
            StridedCursor c = groups.inner();
            for (long i = 0; i < n; i++, c.next()) {
                acc += log ? b.get(1, c) : b.get(1, c) * b.get(0, c);
            }
            c = groups.inner();
            for (long i = 0; i < n; i++, c.next()) {
                double y = b.get(0, c);
                double g = b.get(1, c);
                b.put(2, c, log ? g - Math.exp(y) * acc : y * (g - acc));
            }
        }
    }

    @Override
    public void layerNorm(Operand in, int normalizedDims, Operand weight, Operand bias, double eps, Operand out,
                          Memory mean, Memory rstd, DType dtype, DType statsType) {
        int[] shape = in.layout().shape();
        int lead = shape.length - normalizedDims;
        Layout stats = leadingVector(shape, lead);
        ReductionGroups groups = new ReductionGroups(shape, trailing(shape.length, lead), in.layout(),
                affine(weight, shape), affine(bias, shape), out.layout(), stats);
        Buffers b = new Buffers(dtype, in.memory(), memoryOf(weight), memoryOf(bias), out.memory());
        normalize(groups, b, eps, weight != null, bias != null, null, null, mean, rstd, statsType);
    }

    @Override
    public void layerNormBackward(Operand in, int normalizedDims, Operand weight, Memory mean, Memory rstd,
                                  Operand gradOut, Operand gradIn, Operand gradWeight, Operand gradBias, DType dtype,
                                  DType statsType) {
        int[] shape = in.layout().shape();
        int lead = shape.length - normalizedDims;
        Layout stats = leadingVector(shape, lead);
        boolean[] rows = trailing(shape.length, lead);
        if (gradIn != null) {
            ReductionGroups groups = new ReductionGroups(shape, rows, in.layout(), affine(weight, shape),
                    gradOut.layout(), gradIn.layout(), stats);
            Buffers b = new Buffers(dtype, in.memory(), memoryOf(weight), gradOut.memory(), gradIn.memory());
            inputGrad(groups, b, weight != null, mean, rstd, statsType, false);
        }
        if (gradWeight != null || gradBias != null) {
            // weight and bias gradients reduce over the leading dims: groups are the normalised positions
            boolean[] cols = new boolean[shape.length];
            for (int d = 0; d < lead; d++) {
                cols[d] = true;
            }
            ReductionGroups groups = new ReductionGroups(shape, cols, in.layout(), gradOut.layout(), stats,
                    affine(gradWeight, shape), affine(gradBias, shape));
            Buffers b = new Buffers(dtype, in.memory(), gradOut.memory(), null, memoryOf(gradWeight),
                    memoryOf(gradBias));
            affineGrads(groups, b, mean, rstd, statsType, gradWeight != null, gradBias != null);
        }
    }

    @Override
    public void batchNorm(Operand in, Operand weight, Operand bias, Operand runningMean, Operand runningVar,
                          boolean training, double momentum, double eps, Operand out, Memory saveMean,
                          Memory saveRstd, DType dtype, DType statsType) {
        int[] shape = in.layout().shape();
        Layout stats = ReductionGroups.alongDim(shape, 1);
        ReductionGroups groups = new ReductionGroups(shape, ReductionGroups.allBut(shape.length, 1), in.layout(),
                channel(weight, shape), channel(bias, shape), out.layout(), stats, channel(runningMean, shape),
                channel(runningVar, shape));
        Buffers b = new Buffers(dtype, in.memory(), memoryOf(weight), memoryOf(bias), out.memory(), null,
                memoryOf(runningMean), memoryOf(runningVar));
        if (training) {
            normalize(groups, b, eps, weight != null, bias != null, runningMean != null ? momentum : null,
                    runningVar != null ? momentum : null, saveMean, saveRstd, statsType);
        } else {
            normalizeWithRunning(groups, b, eps, weight != null, bias != null, saveMean, saveRstd, statsType);
        }
    }

    @Override
    public void batchNormBackward(boolean training, Operand in, Operand weight, Memory saveMean, Memory saveRstd,
                                  Operand gradOut, Operand gradIn, Operand gradWeight, Operand gradBias, DType dtype,
                                  DType statsType) {
        int[] shape = in.layout().shape();
        Layout stats = ReductionGroups.alongDim(shape, 1);
        boolean[] mask = ReductionGroups.allBut(shape.length, 1);
        if (gradIn != null) {
            ReductionGroups groups = new ReductionGroups(shape, mask, in.layout(), channel(weight, shape),
                    gradOut.layout(), gradIn.layout(), stats);
            Buffers b = new Buffers(dtype, in.memory(), memoryOf(weight), gradOut.memory(), gradIn.memory());
            inputGrad(groups, b, weight != null, saveMean, saveRstd, statsType, !training);
        }
        if (gradWeight != null || gradBias != null) {
            ReductionGroups groups = new ReductionGroups(shape, mask, in.layout(), gradOut.layout(), stats,
                    channel(gradWeight, shape), channel(gradBias, shape));
            Buffers b = new Buffers(dtype, in.memory(), gradOut.memory(), null, memoryOf(gradWeight),
                    memoryOf(gradBias));
            affineGrads(groups, b, saveMean, saveRstd, statsType, gradWeight != null, gradBias != null);
        }
    }

    // ---- shared loops: operands are (0 x, 1 weight, 2 bias, 3 out, 4 stats, 5 running mean, 6 running var) ------

    /** Normalises each group with its own mean and biased variance; updates running stats when momenta are given. */
    private static void normalize(ReductionGroups groups, Buffers b, double eps, boolean hasWeight, boolean hasBias,
                                  Double meanMomentum, Double varMomentum, Memory mean, Memory rstd,
                                  DType statsType) {
        ByteBuffer meanBuf = mean.hostBuffer();
        ByteBuffer rstdBuf = rstd.hostBuffer();
        long n = groups.size();
        for (long k = 0; k < groups.count(); k++, groups.next()) {
            double sum = 0;
            StridedCursor c = groups.inner();
            for (long i = 0; i < n; i++, c.next()) {
                sum += b.get(0, c);
            }
            double mu = sum / n;
            double sq = 0;
            c = groups.inner();
            for (long i = 0; i < n; i++, c.next()) {
                double d = b.get(0, c) - mu;
                sq += d * d;
            }
            double var = sq / n;
            double r = 1.0 / Math.sqrt(var + eps);
            long s = groups.base()[4];
            ElementAccess.putDouble(meanBuf, statsType, s, mu);
            ElementAccess.putDouble(rstdBuf, statsType, s, r);
            if (meanMomentum != null) {
                b.update(5, groups.base()[5], meanMomentum, mu);
            }
            if (varMomentum != null) {
                b.update(6, groups.base()[6], varMomentum, sq / (n - 1));
            }
            writeNormalized(groups, b, mu, r, hasWeight, hasBias);
        }
    }

    private static void normalizeWithRunning(ReductionGroups groups, Buffers b, double eps, boolean hasWeight,
                                             boolean hasBias, Memory mean, Memory rstd, DType statsType) {
        for (long k = 0; k < groups.count(); k++, groups.next()) {
            double mu = b.getAt(5, groups.base()[5]);
            double r = 1.0 / Math.sqrt(b.getAt(6, groups.base()[6]) + eps);
            long s = groups.base()[4];
            ElementAccess.putDouble(mean.hostBuffer(), statsType, s, mu);
            ElementAccess.putDouble(rstd.hostBuffer(), statsType, s, r);
            writeNormalized(groups, b, mu, r, hasWeight, hasBias);
        }
    }

    private static void writeNormalized(ReductionGroups groups, Buffers b, double mu, double r, boolean hasWeight,
                                        boolean hasBias) {
        StridedCursor c = groups.inner();
        for (long i = 0; i < groups.size(); i++, c.next()) {
            double y = (b.get(0, c) - mu) * r;
            if (hasWeight) {
                y *= b.get(1, c);
            }
            if (hasBias) {
                y += b.get(2, c);
            }
            b.put(3, c, y);
        }
    }

    /**
     * Input gradient with operands (0 x, 1 weight, 2 gradOut, 3 gradIn, 4 stats). With batch statistics:
     * {@code dx = rstd * (dxhat - mean(dxhat) - xhat * mean(dxhat * xhat))}, dxhat = g * w; with fixed (running)
     * statistics the mean terms vanish: {@code dx = rstd * dxhat}.
     */
    private static void inputGrad(ReductionGroups groups, Buffers b, boolean hasWeight, Memory mean, Memory rstd,
                                  DType statsType, boolean fixedStats) {
        long n = groups.size();
        for (long k = 0; k < groups.count(); k++, groups.next()) {
            double mu = ElementAccess.getDouble(mean.hostBuffer(), statsType, groups.base()[4]);
            double r = ElementAccess.getDouble(rstd.hostBuffer(), statsType, groups.base()[4]);
            double sumD = 0;
            double sumDX = 0;
            if (!fixedStats) {
                StridedCursor c = groups.inner();
                for (long i = 0; i < n; i++, c.next()) {
                    double d = b.get(2, c) * (hasWeight ? b.get(1, c) : 1.0);
                    sumD += d;
                    sumDX += d * (b.get(0, c) - mu) * r;
                }
            }
            double meanD = sumD / n;
            double meanDX = sumDX / n;
            StridedCursor c = groups.inner();
            for (long i = 0; i < n; i++, c.next()) {
                double d = b.get(2, c) * (hasWeight ? b.get(1, c) : 1.0);
                double xhat = (b.get(0, c) - mu) * r;
                b.put(3, c, fixedStats ? r * d : r * (d - meanD - xhat * meanDX));
            }
        }
    }

    /** Weight and bias gradients with operands (0 x, 1 gradOut, 2 stats, 3 gradWeight, 4 gradBias). */
    private static void affineGrads(ReductionGroups groups, Buffers b, Memory mean, Memory rstd, DType statsType,
                                    boolean wantWeight, boolean wantBias) {
        long n = groups.size();
        for (long k = 0; k < groups.count(); k++, groups.next()) {
            double gw = 0;
            double gb = 0;
            StridedCursor c = groups.inner();
            for (long i = 0; i < n; i++, c.next()) {
                double g = b.get(1, c);
                double mu = ElementAccess.getDouble(mean.hostBuffer(), statsType, c.offset[2]);
                double r = ElementAccess.getDouble(rstd.hostBuffer(), statsType, c.offset[2]);
                gw += g * (b.get(0, c) - mu) * r;
                gb += g;
            }
            if (wantWeight) {
                b.putAt(3, groups.base()[3], gw);
            }
            if (wantBias) {
                b.putAt(4, groups.base()[4], gb);
            }
        }
    }

    // ---- layouts --------------------------------------------------------------------------------------------

    private static boolean[] trailing(int rank, int lead) {
        boolean[] m = new boolean[rank];
        for (int d = lead; d < rank; d++) {
            m[d] = true;
        }
        return m;
    }

    /** A contiguous vector indexed by the leading {@code lead} dimensions, broadcast over the rest. */
    private static Layout leadingVector(int[] shape, int lead) {
        int[] strides = new int[shape.length];
        long s = 1;
        for (int d = lead - 1; d >= 0; d--) {
            strides[d] = (int) s;
            s *= shape[d];
        }
        return new Layout(shape.clone(), strides, 0);
    }

    /** A weight of the normalised (trailing) shape broadcast over the leading dims; a dummy when absent. */
    private static Layout affine(Operand w, int[] shape) {
        return w == null ? new Layout(shape.clone(), new int[shape.length], 0)
                : ReductionGroups.broadcast(w.layout(), shape);
    }

    /** A per-channel vector (C) broadcast over (N, C, *); a dummy when absent. */
    private static Layout channel(Operand v, int[] shape) {
        int[] strides = new int[shape.length];
        if (v == null) {
            return new Layout(shape.clone(), strides, 0);
        }
        strides[1] = v.layout().strides()[0];
        return new Layout(shape.clone(), strides, v.layout().offset());
    }

    private static Memory memoryOf(Operand o) {
        return o == null ? null : o.memory();
    }

    /** Host buffers of the operands (null where absent), read and written as doubles of one dtype. */
    private static final class Buffers {
        private final DType type;
        private final ByteBuffer[] bufs;

        Buffers(DType type, Memory... memories) {
            this.type = type;
            this.bufs = new ByteBuffer[memories.length];
            for (int k = 0; k < memories.length; k++) {
                bufs[k] = memories[k] == null ? null : memories[k].hostBuffer();
            }
        }

        double get(int k, StridedCursor c) {
            return ElementAccess.getDouble(bufs[k], type, c.offset[k]);
        }

        void put(int k, StridedCursor c, double v) {
            ElementAccess.putDouble(bufs[k], type, c.offset[k], v);
        }

        double getAt(int k, long offset) {
            return ElementAccess.getDouble(bufs[k], type, offset);
        }

        void putAt(int k, long offset, double v) {
            ElementAccess.putDouble(bufs[k], type, offset, v);
        }

        /** running = (1 - momentum) * running + momentum * value. */
        void update(int k, long offset, double momentum, double value) {
            putAt(k, offset, (1 - momentum) * getAt(k, offset) + momentum * value);
        }
    }
}
