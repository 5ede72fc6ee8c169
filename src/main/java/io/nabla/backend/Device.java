package io.nabla.backend;

import java.util.Objects;

/** Where a tensor's memory lives: the host ({@code cpu}) or a CUDA device ({@code cuda:N}). */
public record Device(Type type, int index) {

    public enum Type { CPU, CUDA }

    public static final Device CPU = new Device(Type.CPU, 0);

    public Device {
        Objects.requireNonNull(type, "device type");
        if (index < 0) {
            throw new IllegalArgumentException("device index must be >= 0, got " + index);
        }
        if (type == Type.CPU && index != 0) {
            throw new IllegalArgumentException("the cpu device has index 0, got " + index);
        }
    }

    public static Device cuda(int index) {
        return new Device(Type.CUDA, index);
    }

    /** Parses {@code cpu}, {@code cuda} (= cuda:0) or {@code cuda:N}. */
    public static Device parse(String s) {
        if ("cpu".equals(s)) {
            return CPU;
        }
        if ("cuda".equals(s)) {
            return cuda(0);
        }
        if (s != null && s.startsWith("cuda:") && s.length() > 5 && s.length() <= 8) {
            String n = s.substring(5);
            if (n.chars().allMatch(Character::isDigit)) {
                return cuda(Integer.parseInt(n));
            }
        }
        throw new IllegalArgumentException("device must be 'cpu', 'cuda' or 'cuda:N', got '" + s + "'");
    }

    public boolean isCpu() {
        return type == Type.CPU;
    }

    @Override
    public String toString() {
        return type == Type.CPU ? "cpu" : "cuda:" + index;
    }
}
