package io.nabla.autograd;

import io.nabla.tensor.GradFn;
import io.nabla.tensor.Shape;
import io.nabla.tensor.Tensor;

/**
 * One recorded op: edges to the inputs' producers (or to leaf tensors), the tensors its backward rule needs
 * (saved with their version, so an in-place change is detected), and the rule. The first backward frees the saved
 * tensors unless the graph is retained.
 */
public final class Node implements GradFn {

    /** Computes the gradient of each input from the gradient of the output; null where an input needs none. */
    @FunctionalInterface
    public interface BackwardRule {
        Tensor[] apply(Node node, Tensor gradOutput);
    }

    /** Where an input's gradient goes: into another node, or into a leaf tensor's {@code grad}. */
    record Edge(Node node, Tensor leaf, int[] shape) {
    }

    private final String name;
    private final Edge[] edges;
    private final BackwardRule rule;
    private Tensor[] saved;
    private final int[] savedVersions;
    private boolean released;
    private Tensor retained;

    Node(String name, Tensor[] inputs, Tensor[] saved, BackwardRule rule) {
        this.name = name;
        this.rule = rule;
        this.edges = new Edge[inputs.length];
        for (int i = 0; i < inputs.length; i++) {
            Tensor t = inputs[i];
            if (t == null || !t.requiresGrad()) {
                continue;
            }
            edges[i] = t.gradFn() instanceof Node n ? new Edge(n, null, t.shape()) : new Edge(null, t, t.shape());
        }
        this.saved = saved.clone();
        this.savedVersions = new int[saved.length];
        for (int i = 0; i < saved.length; i++) {
            savedVersions[i] = saved[i] == null ? 0 : saved[i].version();
        }
    }

    @Override
    public String name() {
        return name;
    }

    /** True when input {@code i} needs a gradient; rules skip the work for the others. */
    public boolean needsInputGrad(int i) {
        return edges[i] != null;
    }

    /** Saved tensor {@code i}, checked against in-place modification since it was saved. */
    public Tensor saved(int i) {
        if (released) {
            throw freedError();
        }
        Tensor t = saved[i];
        if (t != null && t.version() != savedVersions[i]) {
            throw new IllegalStateException("one of the variables needed for gradient computation has been modified "
                    + "by an inplace operation: [" + t.dtype().torchName() + " " + Shape.format(t.shape())
                    + "], saved by " + name + ", is at version " + t.version() + "; expected version "
                    + savedVersions[i] + " instead");
        }
        return t;
    }

    IllegalStateException freedError() {
        return new IllegalStateException("Trying to backward through the graph a second time (or directly access "
                + "saved tensors after they have already been freed): the saved tensors of " + name
                + " were freed by the first backward; call backward with retainGraph=true the first time");
    }

    Edge[] edges() {
        return edges;
    }

    boolean isReleased() {
        return released;
    }

    Tensor[] apply(Tensor gradOutput) {
        if (released) {
            throw freedError();
        }
        return rule.apply(this, gradOutput);
    }

    void release() {
        released = true;
        saved = null;
    }

    void retainInto(Tensor t) {
        this.retained = t;
    }

    Tensor retained() {
        return retained;
    }

    @Override
    public String toString() {
        return name;
    }
}
