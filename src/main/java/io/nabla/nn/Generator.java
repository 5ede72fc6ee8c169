package io.nabla.nn;

/**
 * A random number generator that reproduces PyTorch 1.13's CPU generator ({@code torch.manual_seed(seed)}) bit
 * for bit: a 32-bit Mersenne Twister (mt19937) seeded with the low 32 bits of the seed, {@code random()} one
 * 32-bit draw, {@code random64()} two draws (first one high), and ATen's transformations of those draws into
 * uniform floats (24 random bits for float32, 53 for float64), Box-Muller normals (with the cached second sample
 * of {@code at::normal_distribution<double>}) and {@code randperm}'s swaps.
 *
 * <p>Not thread-safe: one generator per model or data loader, used by one thread at a time.
 */
public final class Generator {

    private static final int N = 624;
    private static final int M = 397;
    private static final int MATRIX_A = 0x9908b0df;
    private static final int UPPER_MASK = 0x80000000;
    private static final int LOWER_MASK = 0x7fffffff;

    private final int[] state = new int[N];
    private int next;
    private long seed;
    private Double nextDoubleNormal;

    /** A generator in the state {@code torch.manual_seed(seed)} leaves PyTorch's default CPU generator in. */
    public Generator(long seed) {
        manualSeed(seed);
    }

    /** Reseeds (PyTorch's {@code manual_seed}); drops the cached normal sample. */
    public void manualSeed(long seed) {
        this.seed = seed;
        state[0] = (int) seed;
        for (int j = 1; j < N; j++) {
            int prev = state[j - 1];
            state[j] = 1812433253 * (prev ^ (prev >>> 30)) + j;
        }
        next = N;
        nextDoubleNormal = null;
    }

    /** The seed last set. */
    public long initialSeed() {
        return seed;
    }

    /** The next 32 random bits, as an unsigned value (PyTorch's {@code random()}). */
    public long random() {
        if (next >= N) {
            twist();
        }
        return temper(state[next++]) & 0xffffffffL;
    }

    /** 64 random bits made of two 32-bit draws, the first one high (PyTorch's {@code random64()}). */
    public long random64() {
        long hi = random();
        long lo = random();
        return (hi << 32) | lo;
    }

    /** {@code torch.empty((), dtype=torch.int64).random_()}: 64 random bits reduced modulo 2^63. */
    public long nextNonNegativeLong() {
        return random64() & Long.MAX_VALUE;
    }

    /** The next 624 words, as mt19937 makes them: three loops so no index wraps (no division per word). */
    private void twist() {
        int[] st = state;
        int i = 0;
        for (; i < N - M; i++) {
            int y = (st[i] & UPPER_MASK) | (st[i + 1] & LOWER_MASK);
            st[i] = st[i + M] ^ (y >>> 1) ^ (-(y & 1) & MATRIX_A);
        }
        for (; i < N - 1; i++) {
            int y = (st[i] & UPPER_MASK) | (st[i + 1] & LOWER_MASK);
            st[i] = st[i + M - N] ^ (y >>> 1) ^ (-(y & 1) & MATRIX_A);
        }
        int y = (st[N - 1] & UPPER_MASK) | (st[0] & LOWER_MASK);
        st[N - 1] = st[M - 1] ^ (y >>> 1) ^ (-(y & 1) & MATRIX_A);
        next = 0;
    }

    private static int temper(int y) {
        y ^= y >>> 11;
        y ^= (y << 7) & 0x9d2c5680;
        y ^= (y << 15) & 0xefc60000;
        return y ^ (y >>> 18);
    }

    /**
     * {@code n} draws of {@code at::bernoulli_distribution<double>(keep)} as PyTorch's CPU {@code bernoulli_(keep)}
     * makes them without MKL (a double uniform of 53 random bits per element, from {@link #random64()}, below
     * {@code keep}): writes {@code one} where the draw succeeds and 0 elsewhere. The same numbers as {@code n}
     * calls of {@code uniformDouble(0, 1) < keep}, drawn a block of the state at a time.
     */
    public void bernoulli(float[] out, int n, double keep, float one) {
        // x = bits * 2^-53 < keep  <=>  bits < keep * 2^53 (both sides scaled by a power of two, exactly), and for
        // an integer bits that is bits < ceil(keep * 2^53), at most 2^53: (bits - limit) is negative exactly then
        long limit = (long) Math.ceil(Math.max(0, Math.min(1, keep)) * (double) (1L << 53));
        int[] st = state;
        int[] tempered = new int[N];
        int i = 0;
        while (i < n) {
            if (next >= N - 1) { // a pair that straddles a twist: one draw at a time
                long bits = random64() & ((1L << 53) - 1);
                out[i++] = (float) ((bits - limit) >>> 63) * one;
                continue;
            }
            int pairs = Math.min(n - i, (N - next) / 2);
            int k = next;
            int end = k + 2 * pairs;
            for (int q = k; q < end; q++) { // a loop of its own, which the JIT vectorises
                int y = st[q];
                y ^= y >>> 11;
                y ^= (y << 7) & 0x9d2c5680;
                y ^= (y << 15) & 0xefc60000;
                tempered[q] = y ^ (y >>> 18);
            }
            for (int j = 0; j < pairs; j++, k += 2) {
                long bits = (((tempered[k] & 0xffffffffL) << 32) | (tempered[k + 1] & 0xffffffffL))
                        & ((1L << 53) - 1);
                out[i + j] = (float) ((bits - limit) >>> 63) * one; // branch-free: the draws are random
            }
            next = k;
            i += pairs;
        }
    }

    /**
     * {@code at::uniform_real_distribution<float>(from, to)}: 24 random bits scaled into [from, to), as
     * {@code x * (to - from) + from} with the multiply-add fused, as GCC compiles PyTorch's AVX2 uniform kernel.
     */
    public float uniformFloat(float from, float to) {
        float x = (random() & 0xffffff) * (1.0f / 16777216.0f);
        return Math.fma(x, to - from, from);
    }

    /** {@code at::uniform_real_distribution<double>(from, to)}: 53 random bits scaled into [from, to), fused too. */
    public double uniformDouble(double from, double to) {
        double x = (random64() & ((1L << 53) - 1)) * (1.0 / (1L << 53));
        return Math.fma(x, to - from, from);
    }

    /**
     * {@code at::normal_distribution<double>(mean, std)}: Box-Muller on two double uniforms; the sine sample is
     * kept and returned by the next call.
     */
    public double normalDouble(double mean, double std) {
        if (nextDoubleNormal != null) {
            double cached = nextDoubleNormal;
            nextDoubleNormal = null;
            return cached * std + mean;
        }
        double u1 = uniformDouble(0.0, 1.0);
        double u2 = uniformDouble(0.0, 1.0);
        double r = Math.sqrt(-2.0 * StrictMath.log(1.0 - u2));
        double theta = 2.0 * Math.PI * u1;
        nextDoubleNormal = r * StrictMath.sin(theta);
        return r * StrictMath.cos(theta) * std + mean;
    }

    /**
     * {@code torch.randperm(n, generator)} on the CPU: the identity permutation shuffled by swapping position i
     * with i + random() % (n - i), for i from 0 to n - 2.
     */
    public long[] randperm(int n) {
        if (n < 0) {
            throw new IllegalArgumentException("randperm needs n >= 0, got " + n);
        }
        long[] r = new long[n];
        for (int i = 0; i < n; i++) {
            r[i] = i;
        }
        for (int i = 0; i < n - 1; i++) {
            int z = (int) (random() % (n - i));
            long tmp = r[i];
            r[i] = r[z + i];
            r[z + i] = tmp;
        }
        return r;
    }

    /** Number of values in {@link #getState()}: seed, position, cached-normal flag and bits, the 624 words. */
    public static final int STATE_LENGTH = 4 + N;

    /**
     * The generator's whole state (PyTorch's {@code get_state}), so a checkpoint can continue the same stream of
     * numbers: {@code setState(getState())} on any generator makes it draw exactly what this one draws next.
     */
    public long[] getState() {
        long[] out = new long[STATE_LENGTH];
        out[0] = seed;
        out[1] = next;
        out[2] = nextDoubleNormal == null ? 0 : 1;
        out[3] = nextDoubleNormal == null ? 0 : Double.doubleToRawLongBits(nextDoubleNormal);
        for (int j = 0; j < N; j++) {
            out[4 + j] = state[j];
        }
        return out;
    }

    /** Restores a state returned by {@link #getState()} (PyTorch's {@code set_state}). */
    public void setState(long[] s) {
        if (s == null || s.length != STATE_LENGTH || s[1] < 0 || s[1] > N || (s[2] != 0 && s[2] != 1)) {
            throw new IllegalArgumentException("generator state: expected " + STATE_LENGTH + " values with a position "
                    + "in [0, " + N + "], got " + (s == null ? "nothing" : s.length + " values"));
        }
        seed = s[0];
        next = (int) s[1];
        nextDoubleNormal = s[2] == 1 ? Double.longBitsToDouble(s[3]) : null;
        for (int j = 0; j < N; j++) {
            state[j] = (int) s[4 + j];
        }
    }
}
