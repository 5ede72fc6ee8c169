package io.nabla.nn;

import io.nabla.backend.DType;
import io.nabla.backend.Device;
import io.nabla.tensor.Shape;
import io.nabla.tensor.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.BiConsumer;

/**
 * A layer or a container of layers, as {@code torch.nn.Module}: named parameters, named buffers (running
 * statistics) and named children, a training/evaluation mode, and a state dict whose keys and order are
 * PyTorch's ({@code "0.weight"}, {@code "1.running_mean"}, ...: own parameters, own buffers, then each child's
 * under its name). Subclasses register what they own in their constructor and implement {@link #forward} and
 * the static shape check {@link #outputShape}.
 */
public abstract class Module {

    private final Map<String, Parameter> parameters = new LinkedHashMap<>();
    private final Map<String, Tensor> buffers = new LinkedHashMap<>();
    private final Map<String, Module> children = new LinkedHashMap<>();
    private boolean training = true;

    /** Runs the layer on {@code input}, recording gradients when grad mode is on. */
    public abstract Tensor forward(Tensor input);

    /**
     * The shape {@link #forward} gives for an input of {@code inputShape}, where -1 marks a size known only at run
     * time (the batch). Throws {@link IllegalArgumentException} naming the expected and the actual shape when the
     * input cannot fit this layer.
     */
    public abstract int[] outputShape(int[] inputShape);

    /**
     * Whether, in evaluation mode, each index of dimension 0 of an input of {@code inputShape} gives the same index of
     * dimension 0 of the output, computed from that index alone: what lets a server stack requests along dimension 0
     * without one request's answer depending on another's data. True by default; layers that attend, normalise,
     * take the softmax or flatten across dimension 0 (or read it as channels) answer false. Call it with a shape
     * {@link #outputShape} accepts.
     */
    public boolean rowsIndependent(int[] inputShape) {
        return true;
    }

    /** The dtype of the output for an input of {@code input}: floating inputs pass through by default. */
    public DType outputDType(DType input) {
        if (!input.isFloatingPoint()) {
            throw new IllegalArgumentException(typeName() + " expects a floating point input, got "
                    + input.torchName());
        }
        return input;
    }

    // ---- registration ------------------------------------------------------------------------------------------

    /** Registers a parameter under {@code name} (PyTorch's attribute name, e.g. {@code weight}). */
    protected final Parameter registerParameter(String name, Tensor value) {
        checkName(name);
        Parameter p = new Parameter(value);
        parameters.put(name, p);
        return p;
    }

    /**
     * Registers {@code weight} of {@code shape} and, with {@code bias}, {@code bias} of {@code shape[0]} elements,
     * initialised as PyTorch's Linear and Conv layers do: {@code kaiming_uniform_(weight, a=sqrt(5))}, then the bias
     * uniform in +-1/sqrt(fan_in), both drawn from {@code g} in that order. Returns {weight, bias (or null)}.
     */
    protected final Parameter[] registerWeightAndBias(int[] shape, boolean bias, Generator g) {
        Tensor w = Tensor.empty(DType.FP32, shape);
        Init.kaimingUniform(w, Math.sqrt(5), g);
        Parameter weight = registerParameter("weight", w);
        if (!bias) {
            return new Parameter[] {weight, null};
        }
        Tensor b = Tensor.empty(DType.FP32, shape[0]);
        Init.biasUniform(b, w, g);
        return new Parameter[] {weight, registerParameter("bias", b)};
    }

    /** Registers a persistent buffer (saved in the state dict, never trained), e.g. {@code running_mean}. */
    protected final Tensor registerBuffer(String name, Tensor value) {
        checkName(name);
        buffers.put(name, Objects.requireNonNull(value, "value"));
        return value;
    }

    /** The buffer registered under {@code name} on this module (its current tensor: {@link #to} replaces it). */
    protected final Tensor buffer(String name) {
        Tensor b = buffers.get(name);
        if (b == null) {
            throw new IllegalArgumentException(typeName() + " has no buffer named '" + name + "', it has "
                    + buffers.keySet());
        }
        return b;
    }

    /** Registers a child module under {@code name}; its entries appear in the state dict as {@code name.key}. */
    protected final <M extends Module> M registerModule(String name, M module) {
        checkName(name);
        children.put(name, Objects.requireNonNull(module, "module"));
        return module;
    }

    private void checkName(String name) {
        if (name == null || name.isEmpty() || name.contains(".")) {
            throw new IllegalArgumentException("a module entry name must be non-empty and contain no '.', got '"
                    + name + "'");
        }
        if (parameters.containsKey(name) || buffers.containsKey(name) || children.containsKey(name)) {
            throw new IllegalArgumentException(typeName() + " already has an entry named '" + name + "'");
        }
    }

    // ---- traversal -------------------------------------------------------------------------------------------

    /** The direct children in registration order. */
    public Map<String, Module> namedChildren() {
        return Collections.unmodifiableMap(children);
    }

    /** This module (under "") and every descendant, by dotted name, parents before children. */
    public Map<String, Module> namedModules() {
        Map<String, Module> out = new LinkedHashMap<>();
        visit("", (prefix, m) -> out.put(prefix.isEmpty() ? "" : prefix.substring(0, prefix.length() - 1), m));
        return out;
    }

    /** Every parameter of this module and its descendants, by dotted name, in state-dict order. */
    public Map<String, Parameter> namedParameters() {
        Map<String, Parameter> out = new LinkedHashMap<>();
        Set<Parameter> seen = Collections.newSetFromMap(new IdentityHashMap<>());
        visit("", (prefix, m) -> m.parameters.forEach((n, p) -> {
            if (seen.add(p)) {
                out.put(prefix + n, p);
            }
        }));
        return out;
    }

    /** The parameters' tensors, in state-dict order (what an optimizer takes). */
    public List<Tensor> parameters() {
        List<Tensor> out = new ArrayList<>();
        namedParameters().values().forEach(p -> out.add(p.tensor()));
        return out;
    }

    /** Every buffer of this module and its descendants, by dotted name. */
    public Map<String, Tensor> namedBuffers() {
        Map<String, Tensor> out = new LinkedHashMap<>();
        visit("", (prefix, m) -> m.buffers.forEach((n, b) -> out.put(prefix + n, b)));
        return out;
    }

    private void visit(String prefix, BiConsumer<String, Module> action) {
        action.accept(prefix, this);
        children.forEach((n, c) -> c.visit(prefix + n + ".", action));
    }

    // ---- device ----------------------------------------------------------------------------------------------

    /**
     * Moves every parameter and buffer of this module and its descendants to {@code device}, as PyTorch's
     * {@code module.to(device)}: each is replaced by a copy there (parameters stay leaves requiring their gradient;
     * gradients are dropped), allocated in the current {@link io.nabla.tensor.TensorScope} (and, for a GPU, charged
     * to the arena current on this thread); the old tensors are left to the scope that owns them. Tensors already
     * on {@code device} stay. Call it before building an optimizer over the parameters. Returns this.
     */
    public Module to(Device device) {
        if (device == null) {
            throw new IllegalArgumentException("to(): device must be cpu or cuda:N, got null");
        }
        visit("", (prefix, m) -> {
            m.parameters.values().forEach(p -> p.moveTo(device));
            m.buffers.replaceAll((n, b) -> b.device().equals(device) ? b : b.toDevice(device));
        });
        return this;
    }

    /**
     * For inference under {@link io.nabla.autograd.Autocast} to {@code low}: the weight and bias of every
     * {@link Linear}, {@link Conv1d}, {@link Conv2d} and {@link ConvTranspose}, and the input projection of every
     * {@link MultiheadAttention}
     * (which goes through {@code linear}), become {@code low} copies, the tensors autocast would cast them
     * to at each forward pass (so the answers do not change), kept once; their FP32 tensors are freed, halving the
     * bytes they hold. Other parameters (norms, embeddings) stay as they are, as autocast computes them in FP32.
     * Returns this.
     */
    public Module castMatrixWeights(io.nabla.backend.DType low) {
        io.nabla.autograd.Autocast.checkDtype(low);
        visit("", (prefix, m) -> {
            if (m instanceof Linear || m instanceof Conv1d || m instanceof Conv2d || m instanceof ConvTranspose
                    || m instanceof MultiheadAttention) {
                m.parameters.values().forEach(p -> p.castTo(low));
            }
        });
        return this;
    }

    /** The device of the first parameter or buffer; the cpu for a module that holds none. */
    public Device device() {
        for (Parameter p : namedParameters().values()) {
            return p.tensor().device();
        }
        for (Tensor b : namedBuffers().values()) {
            return b.device();
        }
        return Device.CPU;
    }

    // ---- modes -----------------------------------------------------------------------------------------------

    /** Sets training mode on this module and its descendants; returns this. */
    public Module train(boolean mode) {
        visit("", (p, m) -> m.training = mode);
        return this;
    }

    public Module train() {
        return train(true);
    }

    /** Evaluation mode (batch norm uses running statistics, dropout is off); returns this. */
    public Module eval() {
        return train(false);
    }

    public boolean isTraining() {
        return training;
    }

    /** Zeroes every parameter's gradient in place (PyTorch 1.13's default {@code zero_grad()}). */
    public void zeroGrad() {
        for (Parameter p : namedParameters().values()) {
            if (p.grad() != null) {
                p.grad().fill(0.0);
            }
        }
    }

    // ---- state dict ------------------------------------------------------------------------------------------

    /**
     * Parameters (as detached views sharing their storage) and buffers by dotted name, in PyTorch's order: each
     * module's own parameters, then its own buffers, then its children's entries.
     */
    public Map<String, Tensor> stateDict() {
        Map<String, Tensor> out = new LinkedHashMap<>();
        visit("", (prefix, m) -> {
            m.parameters.forEach((n, p) -> out.put(prefix + n, p.tensor().detach()));
            m.buffers.forEach((n, b) -> out.put(prefix + n, b));
        });
        return out;
    }

    /** What {@link #loadStateDict} left out: state-dict keys the module lacked and module keys the dict lacked. */
    public record LoadResult(List<String> missingKeys, List<String> unexpectedKeys) {
    }

    /**
     * Copies tensors into the parameters and buffers of the same names, converting dtypes as {@code copy_} does.
     * Nothing is written unless every shape fits. With {@code strict}, a missing or unexpected key is an error
     * too; without it they are returned. Errors name every offending key with its expected and actual shape.
     */
    public LoadResult loadStateDict(Map<String, Tensor> state, boolean strict) {
        Objects.requireNonNull(state, "state");
        Map<String, Tensor> own = stateDict();
        List<String> missing = new ArrayList<>();
        List<String> mismatched = new ArrayList<>();
        for (Map.Entry<String, Tensor> e : own.entrySet()) {
            Tensor src = state.get(e.getKey());
            if (src == null) {
                missing.add(e.getKey());
            } else if (!Arrays.equals(src.shape(), e.getValue().shape())) {
                mismatched.add("size mismatch for " + e.getKey() + ": expected shape "
                        + Shape.format(e.getValue().shape()) + ", got " + Shape.format(src.shape()));
            }
        }
        List<String> unexpected = new ArrayList<>();
        for (String k : state.keySet()) {
            if (!own.containsKey(k)) {
                unexpected.add(k);
            }
        }
        List<String> errors = new ArrayList<>();
        if (strict && !missing.isEmpty()) {
            errors.add("missing keys " + missing);
        }
        if (strict && !unexpected.isEmpty()) {
            errors.add("unexpected keys " + unexpected);
        }
        errors.addAll(mismatched);
        if (!errors.isEmpty()) {
            throw new IllegalArgumentException("cannot load the state dict into " + typeName() + ": "
                    + String.join("; ", errors));
        }
        own.forEach((k, dst) -> {
            Tensor src = state.get(k);
            if (src != null) {
                dst.copyFrom(src);
            }
        });
        return new LoadResult(List.copyOf(missing), List.copyOf(unexpected));
    }

    // ---- description -----------------------------------------------------------------------------------------

    /** PyTorch's class name of the layer, e.g. {@code Linear}. */
    public String typeName() {
        return getClass().getSimpleName();
    }

    /** The constructor arguments as PyTorch prints them, e.g. {@code in_features=20, out_features=32, bias=True}. */
    protected String extraRepr() {
        return "";
    }

    @Override
    public String toString() {
        if (children.isEmpty()) {
            return typeName() + "(" + extraRepr() + ")";
        }
        StringBuilder sb = new StringBuilder(typeName()).append("(\n");
        children.forEach((n, c) -> sb.append("  (").append(n).append("): ")
                .append(c.toString().replace("\n", "\n  ")).append('\n'));
        return sb.append(')').toString();
    }

    /** Formats a boolean as Python does, for {@link #extraRepr}. */
    protected static String py(boolean b) {
        return b ? "True" : "False";
    }
}
