package io.nabla.gpu;

/**
 * Where a model or job asks to run: {@code auto} (a healthy GPU with the most free memory, else the CPU), {@code cpu},
 * {@code cuda} (any healthy GPU) or {@code cuda:N}.
 *
 * @param kind which of the four
 * @param index the GPU of {@code cuda:N}; -1 otherwise
 */
public record DeviceRequest(Kind kind, int index) {

    public enum Kind { AUTO, CPU, CUDA, CUDA_INDEX }

    public static final DeviceRequest AUTO = new DeviceRequest(Kind.AUTO, -1);
    public static final DeviceRequest CPU = new DeviceRequest(Kind.CPU, -1);
    public static final DeviceRequest CUDA = new DeviceRequest(Kind.CUDA, -1);

    public DeviceRequest {
        if ((kind == Kind.CUDA_INDEX) != (index >= 0)) {
            throw new IllegalArgumentException("a device index goes with cuda:N only, got " + kind + " and " + index);
        }
    }

    /** Parses {@code auto}, {@code cpu}, {@code cuda} or {@code cuda:N}. */
    public static DeviceRequest parse(String s) {
        if (s == null) {
            throw new IllegalArgumentException("device must be 'auto', 'cpu', 'cuda' or 'cuda:N', got null");
        }
        switch (s) {
            case "auto":
                return AUTO;
            case "cpu":
                return CPU;
            case "cuda":
                return CUDA;
            default:
                break;
        }
        if (s.startsWith("cuda:") && s.length() > 5 && s.length() <= 8 && s.substring(5).chars()
                .allMatch(c -> c >= '0' && c <= '9')) {
            return new DeviceRequest(Kind.CUDA_INDEX, Integer.parseInt(s.substring(5)));
        }
        throw new IllegalArgumentException("device must be 'auto', 'cpu', 'cuda' or 'cuda:N', got '" + s + "'");
    }

    @Override
    public String toString() {
        return kind == Kind.CUDA_INDEX ? "cuda:" + index : kind.name().toLowerCase(java.util.Locale.ROOT);
    }
}
