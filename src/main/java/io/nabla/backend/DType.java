package io.nabla.backend;

/**
 * Element types of tensors, with PyTorch's names, the Open Inference Protocol names and the safetensors codes.
 * Type promotion follows PyTorch's {@code torch.result_type} for tensors of the same dimension category.
 */
public enum DType {
    BOOL(1, "bool", "BOOL", "BOOL", Kind.BOOL),
    UINT8(1, "uint8", "UINT8", "U8", Kind.INTEGER),
    INT8(1, "int8", "INT8", "I8", Kind.INTEGER),
    INT16(2, "int16", "INT16", "I16", Kind.INTEGER),
    INT32(4, "int32", "INT32", "I32", Kind.INTEGER),
    INT64(8, "int64", "INT64", "I64", Kind.INTEGER),
    FP16(2, "float16", "FP16", "F16", Kind.FLOATING),
    BF16(2, "bfloat16", "BF16", "BF16", Kind.FLOATING),
    FP32(4, "float32", "FP32", "F32", Kind.FLOATING),
    FP64(8, "float64", "FP64", "F64", Kind.FLOATING);

    /** The category a dtype belongs to, ordered as PyTorch orders them for promotion. */
    public enum Kind { BOOL, INTEGER, FLOATING }

    private final int itemSize;
    private final String torchName;
    private final String inferenceName;
    private final String safetensorsCode;
    private final Kind kind;

    DType(int itemSize, String torchName, String inferenceName, String safetensorsCode, Kind kind) {
        this.itemSize = itemSize;
        this.torchName = torchName;
        this.inferenceName = inferenceName;
        this.safetensorsCode = safetensorsCode;
        this.kind = kind;
    }

    /** Bytes per element. */
    public int itemSize() { return itemSize; }

    /** PyTorch's name, e.g. {@code float32}. */
    public String torchName() { return torchName; }

    /** Open Inference Protocol datatype, e.g. {@code FP32}. */
    public String inferenceName() { return inferenceName; }

    /** safetensors dtype code, e.g. {@code F32}. */
    public String safetensorsCode() { return safetensorsCode; }

    public Kind kind() { return kind; }

    public boolean isFloatingPoint() { return kind == Kind.FLOATING; }

    public boolean isIntegral() { return kind == Kind.INTEGER; }

    /** True for FP16 and BF16: stored in 16 bits, computed in FP32. */
    public boolean isReducedFloat() { return this == FP16 || this == BF16; }

    /** The dtype named by PyTorch's, the inference protocol's or safetensors' spelling. */
    public static DType parse(String name) {
        if (name == null) {
            throw new IllegalArgumentException("dtype must be one of " + names() + ", got null");
        }
        for (DType d : values()) {
            if (d.torchName.equals(name) || d.inferenceName.equals(name) || d.safetensorsCode.equals(name)
                    || d.name().equals(name)) {
                return d;
            }
        }
        throw new IllegalArgumentException("unknown dtype '" + name + "': expected one of " + names());
    }

    /** The dtype with this safetensors code ({@code F32}, {@code I64}, ...). */
    public static DType fromSafetensors(String code) {
        for (DType d : values()) {
            if (d.safetensorsCode.equals(code)) {
                return d;
            }
        }
        StringBuilder sb = new StringBuilder();
        for (DType d : values()) {
            sb.append(sb.length() == 0 ? "" : ", ").append(d.safetensorsCode);
        }
        throw new IllegalArgumentException("unknown safetensors dtype '" + code + "': expected one of " + sb);
    }

    /** The dtype with this inference protocol name ({@code FP32}, {@code INT64}, ...). */
    public static DType fromInferenceName(String name) {
        for (DType d : values()) {
            if (d.inferenceName.equals(name)) {
                return d;
            }
        }
        StringBuilder sb = new StringBuilder();
        for (DType d : values()) {
            sb.append(sb.length() == 0 ? "" : ", ").append(d.inferenceName);
        }
        throw new IllegalArgumentException("unknown datatype '" + name + "': expected one of " + sb);
    }

    private static String names() {
        StringBuilder sb = new StringBuilder();
        for (DType d : values()) {
            sb.append(sb.length() == 0 ? "" : ", ").append(d.torchName);
        }
        return sb.toString();
    }

    /**
     * PyTorch's promotion of two dtypes ({@code torch.promote_types}): bool &lt; integers &lt; floating types;
     * uint8 with a signed integer gives the next signed type that holds both; FP16 with BF16 gives FP32.
     */
    public static DType promote(DType a, DType b) {
        if (a == b) {
            return a;
        }
        if (a.kind != b.kind) {
            return a.kind.ordinal() > b.kind.ordinal() ? a : b;
        }
        if (a.kind == Kind.FLOATING) {
            if (a.isReducedFloat() && b.isReducedFloat()) {
                return FP32;
            }
            return a.itemSize >= b.itemSize ? a : b;
        }
        // integers
        if (a == UINT8 || b == UINT8) {
            DType other = a == UINT8 ? b : a;
            return other == INT8 ? INT16 : other;
        }
        return a.itemSize >= b.itemSize ? a : b;
    }

    /** The dtype PyTorch computes floating results in for integer inputs (e.g. {@code exp} of int64 is float32). */
    public DType floatingOrDefault() {
        return isFloatingPoint() ? this : FP32;
    }
}
