package io.nabla.autograd;

import io.nabla.tensor.Shape;
import io.nabla.tensor.Tensor;
import io.nabla.tensor.TensorScope;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Deque;
import java.util.IdentityHashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The reverse-mode engine: records nodes as ops run, and {@link #backward} walks the graph from an output in
 * reverse topological order, accumulating gradients into the leaves' {@code grad}.
 */
public final class Autograd {

    private Autograd() {
    }

    /** True when an op on these inputs must be recorded: grad mode is on and some input requires a gradient. */
    public static boolean needsGrad(Tensor... inputs) {
        if (!GradMode.isEnabled()) {
            return false;
        }
        for (Tensor t : inputs) {
            if (t != null && t.requiresGrad()) {
                return true;
            }
        }
        return false;
    }

    /**
     * Records that {@code output} was computed from {@code inputs}; {@code rule} receives the saved tensors back
     * through the node. Returns {@code output}. Call only when {@link #needsGrad} is true.
     */
    public static Tensor record(String name, Tensor output, Tensor[] inputs, Tensor[] saved, Node.BackwardRule rule) {
        output.setGradFn(new Node(name, inputs, saved, rule));
        return output;
    }

    /** Backward from a one-element tensor (PyTorch's {@code loss.backward()}). */
    public static void backward(Tensor root) {
        backward(root, null, false);
    }

    public static void backward(Tensor root, Tensor gradient) {
        backward(root, gradient, false);
    }

    /**
     * Computes the gradient of {@code root} (weighted by {@code gradient}, which defaults to 1 for a one-element
     * root) with respect to every leaf that requires it, and adds it to the leaf's {@code grad}.
     */
    public static void backward(Tensor root, Tensor gradient, boolean retainGraph) {
        if (!root.requiresGrad()) {
            throw new IllegalArgumentException("element 0 of tensors does not require grad and does not have a "
                    + "grad_fn");
        }
        Tensor seed;
        if (gradient == null) {
            if (root.numel() != 1) {
                throw new IllegalArgumentException("grad can be implicitly created only for scalar outputs; the "
                        + "output has shape " + Shape.format(root.shape()));
            }
            seed = Tensor.full(1.0, root.dtype(), root.device(), root.shape());
        } else {
            if (!Arrays.equals(gradient.shape(), root.shape())) {
                throw new IllegalArgumentException("gradient has shape " + Shape.format(gradient.shape())
                        + " but the output has shape " + Shape.format(root.shape()));
            }
            seed = gradient.dataAs(root.dtype());
        }
        try (GradMode.Region ignored = GradMode.disable(); Autocast.Region plain = Autocast.disable()) {
            if (root.isLeaf()) {
                accumulateLeaf(root, seed);
                return;
            }
            run((Node) root.gradFn(), seed, retainGraph);
        }
    }

    /** Keeps the gradient of a non-leaf tensor in its {@code grad} after backward (PyTorch's retain_grad). */
    public static void retainGrad(Tensor t) {
        if (t.gradFn() instanceof Node n) {
            n.retainInto(t);
        } else if (!t.requiresGrad()) {
            throw new IllegalArgumentException("can't retain_grad on a tensor that has requires_grad=False");
        }
    }

    private static void run(Node rootNode, Tensor seed, boolean retainGraph) {
        List<Node> order = topologicalOrder(rootNode);
        Map<Node, Tensor> pending = new IdentityHashMap<>();
        pending.put(rootNode, seed);
        for (Node node : order) {
            Tensor g = pending.remove(node);
            if (g == null) {
                continue;
            }
            if (node.isReleased()) {
                throw node.freedError();
            }
            if (node.retained() != null) {
                accumulateLeaf(node.retained(), g);
            }
            Tensor[] grads = node.apply(g);
            Node.Edge[] edges = node.edges();
            for (int i = 0; i < edges.length; i++) {
                Node.Edge e = edges[i];
                if (e == null || grads == null || i >= grads.length || grads[i] == null) {
                    continue;
                }
                Tensor gi = grads[i];
                if (!Arrays.equals(gi.shape(), e.shape())) {
                    throw new IllegalStateException("backward of " + node.name() + " returned a gradient of shape "
                            + Shape.format(gi.shape()) + " for input " + i + " of shape " + Shape.format(e.shape()));
                }
                if (e.node() != null) {
                    Tensor prev = pending.get(e.node());
                    pending.put(e.node(), prev == null ? gi : ElementwiseOps.add(prev, gi));
                } else {
                    accumulateLeaf(e.leaf(), gi);
                }
            }
            if (!retainGraph) {
                node.release();
            }
        }
    }

    private static List<Node> topologicalOrder(Node root) {
        // iterative depth-first post-order, then reversed: every node comes before the nodes it feeds from
        List<Node> post = new ArrayList<>();
        Set<Node> seen = Collections.newSetFromMap(new IdentityHashMap<>());
        Deque<Object[]> stack = new ArrayDeque<>();
        seen.add(root);
        stack.push(new Object[] {root, Arrays.asList(root.edges()).iterator()});
        while (!stack.isEmpty()) {
            Object[] top = stack.peek();
            @SuppressWarnings("unchecked")
            Iterator<Node.Edge> it = (Iterator<Node.Edge>) top[1];
            boolean descended = false;
            while (it.hasNext()) {
                Node.Edge e = it.next();
                if (e != null && e.node() != null && seen.add(e.node())) {
                    stack.push(new Object[] {e.node(), Arrays.asList(e.node().edges()).iterator()});
                    descended = true;
                    break;
                }
            }
            if (!descended) {
                stack.pop();
                post.add((Node) top[0]);
            }
        }
        Collections.reverse(post);
        return post;
    }

    /** Adds {@code g} into {@code leaf.grad}, creating it in the leaf's own scope the first time. */
    static void accumulateLeaf(Tensor leaf, Tensor g) {
        Tensor existing = leaf.grad();
        if (existing == null) {
            Tensor copy = g.dataAs(leaf.dtype());
            if (copy == g) {
                copy = g.dataCopy();
            }
            TensorScope.moveTo(copy, leaf.storage().owner());
            leaf.setGrad(copy);
        } else {
            InPlaceOps.add_(existing, g); // bumps the gradient's version, casts g to its dtype
        }
    }
}
