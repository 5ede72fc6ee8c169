package io.nabla.tensor;

import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;

/**
 * A region that owns every tensor storage allocated on its thread while it is the innermost open scope, and frees
 * them all when it closes. Scopes nest (application, loaded model, request; job, training step); a tensor that
 * must outlive its scope is handed to the enclosing one with {@link #keep(Tensor)}.
 *
 * <p>Guarantees: after {@link #close()} the scope owns nothing and every storage it owned is freed; a storage has
 * at most one owning scope; closing is idempotent.
 */
public final class TensorScope implements AutoCloseable {

    private static final ThreadLocal<TensorScope> CURRENT = new ThreadLocal<>();

    private final TensorScope parent;
    private final Set<Storage> owned = Collections.newSetFromMap(new IdentityHashMap<>());
    private boolean closed;

    private TensorScope(TensorScope parent) {
        this.parent = parent;
    }

    /** Opens a scope nested in the current thread's innermost scope and makes it the innermost one. */
    public static TensorScope open() {
        TensorScope s = new TensorScope(CURRENT.get());
        CURRENT.set(s);
        return s;
    }

    /**
     * Opens a scope that is not nested in the current one (e.g. a loaded model's scope, which outlives the
     * request that loads it); it becomes the innermost scope until closed.
     */
    public static TensorScope openDetached() {
        TensorScope s = new TensorScope(null);
        s.previous = CURRENT.get();
        CURRENT.set(s);
        return s;
    }

    private TensorScope previous;

    /** The current thread's innermost open scope, or null. */
    public static TensorScope current() {
        return CURRENT.get();
    }

    synchronized void adopt(Storage s) {
        if (closed) {
            throw new IllegalStateException("cannot allocate into a closed TensorScope");
        }
        owned.add(s);
        s.setOwner(this);
    }

    /**
     * Hands the storage of {@code t} (and of its gradient) to the enclosing scope, or to no scope at all when this
     * one is outermost (then only the GC or {@link Storage#close()} frees it). Returns {@code t}.
     */
    public Tensor keep(Tensor t) {
        moveTo(t, parent);
        return t;
    }

    /** Moves the storage of {@code t} (and its gradient's) into {@code target} (null: no scope). */
    public static Tensor moveTo(Tensor t, TensorScope target) {
        transfer(t.storage(), target);
        if (t.grad() != null) {
            transfer(t.grad().storage(), target);
        }
        return t;
    }

    private static void transfer(Storage s, TensorScope target) {
        TensorScope from = s.owner();
        if (from == target) {
            return;
        }
        if (from != null) {
            synchronized (from) {
                from.owned.remove(s);
            }
        }
        if (target != null) {
            target.adopt(s);
        } else {
            s.setOwner(null);
        }
    }

    /** Number of storages this scope owns now. */
    public synchronized int size() {
        return owned.size();
    }

    /** Bytes owned now. */
    public synchronized long bytes() {
        long n = 0;
        for (Storage s : owned) {
            n += s.byteSize();
        }
        return n;
    }

    public synchronized boolean isClosed() {
        return closed;
    }

    /** Frees every storage this scope owns and makes the enclosing scope current again. */
    @Override
    public void close() {
        List<Storage> toFree;
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            toFree = new ArrayList<>(owned);
            owned.clear();
        }
        for (Storage s : toFree) {
            s.setOwner(null);
            s.close();
        }
        if (CURRENT.get() == this) {
            TensorScope restore = previous != null ? previous : parent;
            while (restore != null && restore.isClosed()) {
                restore = restore.parent;
            }
            if (restore == null) {
                CURRENT.remove();
            } else {
                CURRENT.set(restore);
            }
        }
    }
}
