package io.nabla.tensor;

import io.nabla.backend.Backend;
import io.nabla.backend.Backends;
import io.nabla.backend.DType;
import io.nabla.backend.Device;
import io.nabla.backend.ElementAccess;
import io.nabla.backend.Layout;
import io.nabla.backend.Memory;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Objects;

/**
 * An n-dimensional view (sizes, strides and offset in elements, dtype) over a {@link Storage}. Views share their
 * storage; only the storage owns memory. This class holds data and autograd state; the differentiable ops live in
 * {@code io.nabla.autograd}, and the {@code data*} methods here never record gradients.
 */
public final class Tensor {

    private final Storage storage;
    private final int[] shape;
    private final int[] strides;
    private final long offset;
    private final DType dtype;

    private boolean requiresGrad;
    private Tensor grad;
    private GradFn gradFn;

    private Tensor(Storage storage, int[] shape, int[] strides, long offset, DType dtype) {
        this.storage = storage;
        this.shape = shape;
        this.strides = strides;
        this.offset = offset;
        this.dtype = dtype;
    }

    // ---- creation -------------------------------------------------------------------------------------------

    /** An uninitialised contiguous tensor on the CPU. */
    public static Tensor empty(DType dtype, int... shape) {
        return empty(dtype, Device.CPU, shape);
    }

    public static Tensor empty(DType dtype, Device device, int... shape) {
        return allocate(dtype, device, shape, false);
    }

    public static Tensor zeros(DType dtype, int... shape) {
        return allocate(dtype, Device.CPU, shape, true);
    }

    public static Tensor zeros(DType dtype, Device device, int... shape) {
        return allocate(dtype, device, shape, true);
    }

    public static Tensor ones(DType dtype, int... shape) {
        return full(1.0, dtype, shape);
    }

    public static Tensor full(double value, DType dtype, int... shape) {
        return full(value, dtype, Device.CPU, shape);
    }

    public static Tensor full(double value, DType dtype, Device device, int... shape) {
        Tensor t = allocate(dtype, device, shape, false);
        t.backend().elementwise().fill(t.memory(), t.layout(), dtype, value);
        return t;
    }

    /** A 0-dim tensor holding {@code value}. */
    public static Tensor scalar(double value, DType dtype) {
        return full(value, dtype, Device.CPU);
    }

    public static Tensor of(float[] data, int... shape) {
        Tensor t = checkedEmpty(DType.FP32, data.length, shape);
        t.memory().hostBuffer().asFloatBuffer().put(0, data);
        return t;
    }

    public static Tensor of(double[] data, int... shape) {
        Tensor t = checkedEmpty(DType.FP64, data.length, shape);
        t.memory().hostBuffer().asDoubleBuffer().put(0, data);
        return t;
    }

    public static Tensor of(long[] data, int... shape) {
        Tensor t = checkedEmpty(DType.INT64, data.length, shape);
        t.memory().hostBuffer().asLongBuffer().put(0, data);
        return t;
    }

    public static Tensor of(int[] data, int... shape) {
        Tensor t = checkedEmpty(DType.INT32, data.length, shape);
        t.memory().hostBuffer().asIntBuffer().put(0, data);
        return t;
    }

    public static Tensor of(boolean[] data, int... shape) {
        Tensor t = checkedEmpty(DType.BOOL, data.length, shape);
        ByteBuffer b = t.memory().hostBuffer();
        for (int i = 0; i < data.length; i++) {
            b.put(i, (byte) (data[i] ? 1 : 0));
        }
        return t;
    }

    /** Values given as doubles, stored as {@code dtype} (rounded or truncated as {@code to(dtype)} does). */
    public static Tensor of(double[] data, DType dtype, int... shape) {
        Tensor t = checkedEmpty(dtype, data.length, shape);
        ByteBuffer b = t.memory().hostBuffer();
        for (int i = 0; i < data.length; i++) {
            if (dtype.isReducedFloat()) {
                ElementAccess.putDouble(b, dtype, i, (float) data[i]);
            } else if (dtype.isFloatingPoint()) {
                ElementAccess.putDouble(b, dtype, i, data[i]);
            } else {
                ElementAccess.putLong(b, dtype, i, (long) data[i]);
            }
        }
        return t;
    }

    /** Copies little-endian row-major bytes (e.g. from a safetensors file or a request body) into a new tensor. */
    public static Tensor fromBytes(DType dtype, int[] shape, ByteBuffer littleEndian) {
        long n = Shape.numel(shape);
        long bytes = n * dtype.itemSize();
        if (littleEndian.remaining() != bytes) {
            throw new IllegalArgumentException("tensor " + Shape.format(shape) + " of " + dtype.torchName()
                    + " needs " + bytes + " bytes, got " + littleEndian.remaining());
        }
        Tensor t = empty(dtype, shape);
        ByteBuffer dst = t.memory().hostBuffer().duplicate().order(ByteOrder.LITTLE_ENDIAN);
        dst.position(0);
        dst.put(littleEndian.duplicate());
        return t;
    }

    private static Tensor checkedEmpty(DType dtype, int length, int[] shape) {
        Objects.requireNonNull(shape, "shape");
        long n = Shape.numel(shape);
        if (n != length) {
            throw new IllegalArgumentException("shape " + Shape.format(shape) + " needs " + n
                    + " values, got " + length);
        }
        return empty(dtype, shape);
    }

    private static Tensor allocate(DType dtype, Device device, int[] shape, boolean zero) {
        Objects.requireNonNull(dtype, "dtype");
        Objects.requireNonNull(device, "device");
        Objects.requireNonNull(shape, "shape");
        long n = Shape.numel(shape);
        long bytes;
        try {
            bytes = Math.multiplyExact(n, (long) dtype.itemSize());
        } catch (ArithmeticException e) {
            throw new IllegalArgumentException("tensor " + Shape.format(shape) + " of " + dtype.torchName()
                    + " is too large: its byte size overflows");
        }
        Storage s = Storage.allocate(device, bytes, zero);
        return new Tensor(s, shape.clone(), Shape.contiguousStrides(shape), 0, dtype);
    }

    /**
     * A view with the given sizes, strides and offset over this tensor's storage. No gradient is recorded; the
     * autograd shape ops call this and record their own. The view must stay inside the storage.
     */
    public Tensor asStrided(int[] newShape, int[] newStrides, long newOffset) {
        if (newShape.length != newStrides.length) {
            throw new IllegalArgumentException("shape " + Shape.format(newShape) + " and strides "
                    + Shape.format(newStrides) + " differ in rank");
        }
        long n = Shape.numel(newShape);
        if (n > 0) {
            long lo = newOffset;
            long hi = newOffset;
            for (int d = 0; d < newShape.length; d++) {
                long span = (long) (newShape[d] - 1) * newStrides[d];
                if (span < 0) {
                    lo += span;
                } else {
                    hi += span;
                }
            }
            long capacity = storage.byteSize() / dtype.itemSize();
            if (lo < 0 || hi >= capacity) {
                throw new IllegalArgumentException("view " + Shape.format(newShape) + " with strides "
                        + Shape.format(newStrides) + " at offset " + newOffset + " reaches elements [" + lo + ", "
                        + hi + "] outside the storage of " + capacity + " elements");
            }
        }
        return new Tensor(storage, newShape.clone(), newStrides.clone(), newOffset, dtype);
    }

    // ---- metadata ---------------------------------------------------------------------------------------------

    public int[] shape() {
        return shape.clone();
    }

    public int size(int dim) {
        requireDims(dim);
        return shape[Shape.wrapDim(dim, shape.length)];
    }

    public int[] strides() {
        return strides.clone();
    }

    public int stride(int dim) {
        requireDims(dim);
        return strides[Shape.wrapDim(dim, shape.length)];
    }

    private void requireDims(int dim) {
        if (shape.length == 0) {
            throw new IllegalArgumentException("dimension specified as " + dim + " but tensor has no dimensions");
        }
    }

    public long offset() {
        return offset;
    }

    public int dim() {
        return shape.length;
    }

    public long numel() {
        long n = 1;
        for (int s : shape) {
            n *= s;
        }
        return n;
    }

    public DType dtype() {
        return dtype;
    }

    public Device device() {
        return storage.device();
    }

    public Storage storage() {
        return storage;
    }

    /** The storage's memory (fails once the storage was freed). */
    public Memory memory() {
        return storage.memory();
    }

    public Layout layout() {
        return new Layout(shape, strides, offset);
    }

    /** The backend that runs kernels for this tensor's device. */
    public Backend backend() {
        return Backends.forDevice(device());
    }

    public boolean isContiguous() {
        if (numel() == 0) {
            return true;
        }
        long expected = 1;
        for (int d = shape.length - 1; d >= 0; d--) {
            if (shape[d] != 1 && strides[d] != expected) {
                return false;
            }
            expected *= shape[d];
        }
        return true;
    }

    /** The version counter of the storage, bumped by every in-place write. */
    public int version() {
        return storage.version();
    }

    public void bumpVersion() {
        storage.bumpVersion();
    }

    // ---- data without autograd ---------------------------------------------------------------------------------

    /** A view of the same data that is cut off from the graph (PyTorch's {@code detach()}). */
    public Tensor detach() {
        return new Tensor(storage, shape, strides, offset, dtype);
    }

    /** A new contiguous copy of the data, no gradient recorded. */
    public Tensor dataCopy() {
        return dataAs(dtype, true);
    }

    /** This tensor if contiguous, else a contiguous copy; no gradient recorded. */
    public Tensor dataContiguous() {
        return isContiguous() ? this : dataCopy();
    }

    /** The data converted to {@code target} (this tensor when it already is), no gradient recorded. */
    public Tensor dataAs(DType target) {
        return target == dtype ? this : dataAs(target, true);
    }

    private Tensor dataAs(DType target, boolean copy) {
        Tensor out = empty(target, device(), shape);
        backend().elementwise().copy(memory(), layout(), dtype, out.memory(), out.layout(), target);
        return out;
    }

    /**
     * Copies {@code src} (same shape, any device) into this view in place, converting the dtype; bumps the version.
     * A copy between the host and a device runs on the device's backend.
     */
    public void copyFrom(Tensor src) {
        if (!java.util.Arrays.equals(src.shape, shape)) {
            throw new IllegalArgumentException("cannot copy " + Shape.format(src.shape) + " into "
                    + Shape.format(shape));
        }
        Backend b = device().isCpu() ? src.backend() : backend();
        b.elementwise().copy(src.memory(), src.layout(), src.dtype, memory(), layout(), dtype);
        bumpVersion();
    }

    /** A copy of the data on {@code target} (this tensor when it already lives there), no gradient recorded. */
    public Tensor toDevice(Device target) {
        if (target == null) {
            throw new IllegalArgumentException("target device must be cpu or cuda:N, got null");
        }
        if (target.equals(device())) {
            return this;
        }
        Tensor out = empty(dtype, target, shape);
        out.copyFrom(this);
        return out;
    }

    /** A host copy of the data converted to {@code target}, for reading elements of a tensor on any device. */
    private Tensor onHost(DType target) {
        if (device().isCpu()) {
            return dataAs(target, true);
        }
        Tensor out = empty(target, Device.CPU, shape);
        out.copyFrom(this);
        return out;
    }

    /** Fills this view with {@code value} in place; bumps the version. */
    public void fill(double value) {
        backend().elementwise().fill(memory(), layout(), dtype, value);
        bumpVersion();
    }

    // ---- element access (host tensors) -------------------------------------------------------------------------

    private long elementOffset(int[] index) {
        if (index.length != shape.length) {
            throw new IllegalArgumentException("index has " + index.length + " coordinates, tensor "
                    + Shape.format(shape) + " has rank " + shape.length);
        }
        long off = offset;
        for (int d = 0; d < index.length; d++) {
            if (index[d] < 0 || index[d] >= shape[d]) {
                throw new IndexOutOfBoundsException("index " + index[d] + " is out of bounds for dimension " + d
                        + " with size " + shape[d]);
            }
            off += (long) index[d] * strides[d];
        }
        return off;
    }

    private ByteBuffer hostBuffer() {
        if (!device().isCpu()) {
            throw new IllegalStateException("element access needs a cpu tensor, this one is on " + device());
        }
        return memory().hostBuffer();
    }

    public double getDouble(int... index) {
        return ElementAccess.getDouble(hostBuffer(), dtype, elementOffset(index));
    }

    public long getLong(int... index) {
        return ElementAccess.getLong(hostBuffer(), dtype, elementOffset(index));
    }

    public void setDouble(double value, int... index) {
        ElementAccess.putDouble(hostBuffer(), dtype, elementOffset(index), value);
        bumpVersion();
    }

    /** The value of a one-element tensor. */
    public double item() {
        if (numel() != 1) {
            throw new IllegalArgumentException("item() needs a tensor with one element, got shape "
                    + Shape.format(shape));
        }
        if (!device().isCpu()) {
            return onHost(dtype).item();
        }
        return ElementAccess.getDouble(hostBuffer(), dtype, offset);
    }

    /** The elements in row-major order as doubles. */
    public double[] toDoubleArray() {
        Tensor c = onHost(DType.FP64);
        double[] out = new double[Math.toIntExact(numel())];
        c.hostBuffer().asDoubleBuffer().get(0, out);
        return out;
    }

    public float[] toFloatArray() {
        Tensor c = onHost(DType.FP32);
        float[] out = new float[Math.toIntExact(numel())];
        c.hostBuffer().asFloatBuffer().get(0, out);
        return out;
    }

    public long[] toLongArray() {
        Tensor c = onHost(DType.INT64);
        long[] out = new long[Math.toIntExact(numel())];
        c.hostBuffer().asLongBuffer().get(0, out);
        return out;
    }

    public boolean[] toBooleanArray() {
        Tensor c = onHost(DType.BOOL);
        ByteBuffer b = c.hostBuffer();
        boolean[] out = new boolean[Math.toIntExact(numel())];
        for (int i = 0; i < out.length; i++) {
            out[i] = b.get(i) != 0;
        }
        return out;
    }

    /** The elements as little-endian row-major bytes. */
    public byte[] toBytes() {
        Tensor c = device().isCpu() ? dataContiguous() : onHost(dtype);
        ByteBuffer b = c.hostBuffer().duplicate();
        int start = Math.toIntExact(c.offset * dtype.itemSize());
        int len = Math.toIntExact(numel() * dtype.itemSize());
        byte[] out = new byte[len];
        b.position(start);
        b.get(out);
        if (ByteOrder.nativeOrder() != ByteOrder.LITTLE_ENDIAN) {
            throw new IllegalStateException("big-endian hosts are not supported");
        }
        return out;
    }

    // ---- autograd state --------------------------------------------------------------------------------------

    public boolean requiresGrad() {
        return requiresGrad;
    }

    /** Marks a leaf tensor as needing its gradient (floating dtypes only); returns this. */
    public Tensor requiresGrad(boolean value) {
        if (value && !dtype.isFloatingPoint()) {
            throw new IllegalArgumentException("only floating point tensors can require gradients, got "
                    + dtype.torchName());
        }
        if (!value && gradFn != null) {
            throw new IllegalArgumentException("requires_grad can only be turned off on leaf tensors; this one was "
                    + "made by " + gradFn.name() + " (use detach())");
        }
        this.requiresGrad = value;
        return this;
    }

    /** True for tensors not made by a recorded op (user-created tensors and parameters). */
    public boolean isLeaf() {
        return gradFn == null;
    }

    public Tensor grad() {
        return grad;
    }

    public void setGrad(Tensor g) {
        if (g != null && !java.util.Arrays.equals(g.shape, shape)) {
            throw new IllegalArgumentException("gradient of shape " + Shape.format(g.shape)
                    + " does not match the tensor's shape " + Shape.format(shape));
        }
        this.grad = g;
    }

    public GradFn gradFn() {
        return gradFn;
    }

    /** Attaches the step that produced this tensor (called by the autograd engine when it records an op). */
    public void setGradFn(GradFn fn) {
        this.gradFn = fn;
        this.requiresGrad = fn != null || requiresGrad;
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("Tensor(shape=").append(Shape.format(shape))
                .append(", dtype=").append(dtype.torchName()).append(", device=").append(device());
        if (gradFn != null) {
            sb.append(", grad_fn=").append(gradFn.name());
        } else if (requiresGrad) {
            sb.append(", requires_grad=true");
        }
        return sb.append(')').toString();
    }
}
