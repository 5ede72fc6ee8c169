package io.nabla.backend.cuda;

import java.lang.reflect.Proxy;

/**
 * A kernel family that has no CUDA implementation yet: every call throws an {@link UnsupportedOperationException}
 * naming the kernel ("conv.im2col is not yet implemented on CUDA"). Absent, not faked: nothing is computed.
 */
final class NotOnCuda {

    private NotOnCuda() {
    }

    /** An implementation of {@code family} whose every method refuses, naming itself. */
    static <T> T family(Class<T> family, String prefix) {
        Object proxy = Proxy.newProxyInstance(family.getClassLoader(), new Class<?>[] {family}, (p, m, args) -> {
            if (m.getDeclaringClass() == Object.class) {
                return switch (m.getName()) {
                    case "toString" -> "NotOnCuda(" + family.getSimpleName() + ")";
                    case "hashCode" -> System.identityHashCode(p);
                    case "equals" -> p == args[0];
                    default -> throw new IllegalStateException(m.getName());
                };
            }
            throw missing(prefix + "." + m.getName());
        });
        return family.cast(proxy);
    }

    static UnsupportedOperationException missing(String kernel) {
        return new UnsupportedOperationException(kernel + " is not yet implemented on CUDA");
    }
}
