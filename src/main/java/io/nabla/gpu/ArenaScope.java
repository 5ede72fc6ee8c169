package io.nabla.gpu;

/**
 * While open, device allocations on this thread are charged to one {@link MemoryArena}; closing it restores the arena
 * that was current before ({@code try (ArenaScope s = arena.enter()) {...}}). Scopes nest and belong to the thread that
 * opened them.
 */
public final class ArenaScope implements AutoCloseable {

    private final ThreadLocal<MemoryArena> current;
    private final MemoryArena previous;
    private final Thread thread = Thread.currentThread();
    private boolean closed;

    ArenaScope(ThreadLocal<MemoryArena> current, MemoryArena arena) {
        this.current = current;
        this.previous = current.get();
        current.set(arena);
    }

    @Override
    public void close() {
        if (Thread.currentThread() != thread) {
            throw new IllegalStateException("an arena scope must be closed by the thread that opened it ("
                    + thread.getName() + "), not by " + Thread.currentThread().getName());
        }
        if (closed) {
            return;
        }
        closed = true;
        if (previous == null) {
            current.remove();
        } else {
            current.set(previous);
        }
    }
}
