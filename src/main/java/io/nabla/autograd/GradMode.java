package io.nabla.autograd;

/** Whether ops record the graph on this thread; {@link #disable()} opens a {@code no_grad} region. */
public final class GradMode {

    private static final ThreadLocal<Boolean> ENABLED = ThreadLocal.withInitial(() -> Boolean.TRUE);

    private GradMode() {
    }

    public static boolean isEnabled() {
        return ENABLED.get();
    }

    /** Turns recording off until the returned handle is closed (PyTorch's {@code torch.no_grad()}). */
    public static Region disable() {
        return set(false);
    }

    /** Turns recording on until the returned handle is closed (PyTorch's {@code torch.enable_grad()}). */
    public static Region enable() {
        return set(true);
    }

    private static Region set(boolean enabled) {
        boolean previous = ENABLED.get();
        ENABLED.set(enabled);
        return () -> ENABLED.set(previous);
    }

    /** A region with recording switched; closing it restores the previous mode. */
    public interface Region extends AutoCloseable {
        @Override
        void close();
    }
}
