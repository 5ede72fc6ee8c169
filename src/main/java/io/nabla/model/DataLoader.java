package io.nabla.model;

import io.nabla.autograd.IndexOps;
import io.nabla.autograd.ShapeOps;
import io.nabla.nn.Generator;
import io.nabla.tensor.Shape;
import io.nabla.tensor.Tensor;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Objects;

/**
 * Batches over named tensors that share their first dimension, as PyTorch's
 * {@code DataLoader(TensorDataset(...), batch_size, shuffle, drop_last=False)}. In order, a batch is a view
 * ({@code narrow}) of each tensor; shuffled, a batch gathers rows ({@code index_select}) in the order of a
 * permutation drawn per epoch exactly as PyTorch draws it: the loader's iterator first takes a worker base seed from
 * the generator ({@code random_()} on an int64), then the sampler takes a second one, seeds a fresh generator with
 * it and draws {@code randperm(n)}. With the same {@link Generator} state ({@code torch.manual_seed(seed)} and
 * nothing else drawn in between) the batches equal PyTorch's. An in-order loader given a generator takes the base
 * seed too (PyTorch's iterator draws it whether or not the sampler shuffles). Batch tensors are made in the current
 * {@link io.nabla.tensor.TensorScope} when the iterator reaches them.
 */
public final class DataLoader {

    /** One batch: its index within the epoch and a tensor per name. */
    public record Batch(int index, Map<String, Tensor> tensors) {

        /** The batch of the named tensor. */
        public Tensor get(String name) {
            Tensor t = tensors.get(name);
            if (t == null) {
                throw new IllegalArgumentException("no tensor named \"" + name + "\" in the batch; it has "
                        + tensors.keySet());
            }
            return t;
        }

        /** Number of rows in this batch. */
        public int size() {
            return tensors.values().iterator().next().size(0);
        }
    }

    private final Map<String, Tensor> tensors;
    private final int rows;
    private final int batchSize;
    private final boolean shuffle;
    private final boolean dropLast;
    private final Generator generator;

    /**
     * @param generator draws the permutations when {@code shuffle} is true (may be null otherwise); given, each epoch
     *     takes the iterator's base seed from it whether it shuffles or not, as PyTorch's does, so that the draws
     *     that follow (dropout masks) are PyTorch's too
     */
    public DataLoader(Map<String, Tensor> tensors, int batchSize, boolean shuffle, boolean dropLast,
                      Generator generator) {
        Objects.requireNonNull(tensors, "tensors");
        if (tensors.isEmpty()) {
            throw new IllegalArgumentException("a data loader needs at least one tensor");
        }
        if (batchSize <= 0) {
            throw new IllegalArgumentException("batch_size: expected a positive integer, got " + batchSize);
        }
        if (shuffle && generator == null) {
            throw new IllegalArgumentException("shuffling needs a generator");
        }
        int n = -1;
        for (Map.Entry<String, Tensor> e : tensors.entrySet()) {
            Tensor t = e.getValue();
            if (t.dim() == 0) {
                throw new IllegalArgumentException("tensor \"" + e.getKey() + "\" is 0-dim; every tensor needs a "
                        + "first dimension of samples");
            }
            if (n >= 0 && t.size(0) != n) {
                throw new IllegalArgumentException("tensors must share their first dimension: \"" + e.getKey()
                        + "\" has shape " + Shape.format(t.shape()) + ", expected " + n + " rows");
            }
            n = t.size(0);
        }
        this.tensors = Collections.unmodifiableMap(new LinkedHashMap<>(tensors));
        this.rows = n;
        this.batchSize = batchSize;
        this.shuffle = shuffle;
        this.dropLast = dropLast;
        this.generator = generator;
    }

    /** In-order batches, keeping the last smaller batch. */
    public DataLoader(Map<String, Tensor> tensors, int batchSize) {
        this(tensors, batchSize, false, false, null);
    }

    /** Number of samples. */
    public int rows() {
        return rows;
    }

    /** Number of batches per epoch. */
    public int batchesPerEpoch() {
        return dropLast ? rows / batchSize : (rows + batchSize - 1) / batchSize;
    }

    /** The batches of one epoch; a shuffled loader draws its permutation now. */
    public Iterator<Batch> epoch() {
        long[] order = null;
        if (generator != null) {
            generator.nextNonNegativeLong(); // the iterator's worker base seed, drawn by PyTorch, shuffled or not
        }
        if (shuffle) {
            order = new Generator(generator.nextNonNegativeLong()).randperm(rows);
        }
        long[] perm = order;
        int count = batchesPerEpoch();
        return new Iterator<>() {
            private int next;

            @Override
            public boolean hasNext() {
                return next < count;
            }

            @Override
            public Batch next() {
                if (!hasNext()) {
                    throw new NoSuchElementException("the epoch has " + count + " batches");
                }
                int b = next++;
                return batch(b, perm);
            }
        };
    }

    private Batch batch(int b, long[] perm) {
        int start = b * batchSize;
        int len = Math.min(batchSize, rows - start);
        Map<String, Tensor> out = new LinkedHashMap<>();
        Tensor index = null;
        if (perm != null) {
            long[] idx = new long[len];
            System.arraycopy(perm, start, idx, 0, len);
            index = Tensor.of(idx, len);
        }
        for (Map.Entry<String, Tensor> e : tensors.entrySet()) {
            Tensor t = e.getValue();
            out.put(e.getKey(), index == null ? ShapeOps.narrow(t, 0, start, len) : IndexOps.indexSelect(t, 0, index));
        }
        return new Batch(b, Collections.unmodifiableMap(out));
    }

    /** The batches of one epoch as a list (each made now, in the current scope). */
    public List<Batch> epochList() {
        List<Batch> out = new ArrayList<>();
        epoch().forEachRemaining(out::add);
        return out;
    }
}
