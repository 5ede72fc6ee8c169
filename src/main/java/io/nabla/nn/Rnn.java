package io.nabla.nn;

import io.nabla.autograd.ActivationOps;
import io.nabla.autograd.ElementwiseOps;
import io.nabla.autograd.GradMode;
import io.nabla.autograd.JoinOps;
import io.nabla.autograd.LinalgOps;
import io.nabla.autograd.ShapeOps;
import io.nabla.backend.DType;
import io.nabla.tensor.Shape;
import io.nabla.tensor.Tensor;
import io.nabla.tensor.TensorScope;
import java.util.ArrayList;
import java.util.List;

/**
 * PyTorch's recurrent layers {@code torch.nn.RNN(input_size, hidden_size, num_layers=1, nonlinearity="tanh",
 * bias=True, batch_first=False, dropout=0, bidirectional=False)}, {@code LSTM(...)} and {@code GRU(...)} (the same
 * arguments but {@code nonlinearity}), called as a sequential stack calls them: with zero initial states, answering
 * the output sequence, the first element of PyTorch's {@code (output, h_n)}. Each time step is PyTorch's cell:
 *
 * <pre>
 * RNN:  h = tanh|relu(W_hh h + b_hh + W_ih x + b_ih)
 * LSTM: i, f, g, o = chunk4(W_hh h + b_hh + W_ih x + b_ih)
 *       c = sigmoid(f) c + sigmoid(i) tanh(g);  h = sigmoid(o) tanh(c)  (with proj_size: h = W_hr h)
 * GRU:  r, z, n of (W_ih x + b_ih) and (W_hh h + b_hh);  r = sigmoid(.), z = sigmoid(.), n = tanh(x_n + r h_n)
 *       h = n + z (h - n)
 * </pre>
 *
 * composed of the engine's ops, so backward is autograd's and every backend runs it; the input projection of all
 * time steps is one matrix product, as in PyTorch's CPU kernel. {@code bidirectional} runs a second stack over the
 * reversed sequence and concatenates both outputs per step; {@code dropout} drops the outputs of every layer but
 * the last in training (drawing from the generator as {@code F.dropout} does). Parameters per layer k and direction:
 * {@code weight_ih_l<k>[_reverse]}, {@code weight_hh_l<k>}, {@code bias_ih_l<k>}, {@code bias_hh_l<k>}, in that
 * order, each drawn uniform in +-1/sqrt(hidden_size), PyTorch's names, order and initialisation. Input (L, N,
 * input_size), (N, L, input_size) with {@code batch_first}, or unbatched (L, input_size); output the same with
 * {@code D * hidden_size} features (D = 2 when bidirectional; {@code D * proj_size} for an LSTM with projections).
 */
public final class Rnn extends Module {

    /** The cell: its PyTorch class name and how many gates its weights stack. */
    public enum Mode {
        RNN_TANH("RNN", 1), RNN_RELU("RNN", 1), LSTM("LSTM", 4), GRU("GRU", 3);

        final String typeName;
        final int gates;

        Mode(String typeName, int gates) {
            this.typeName = typeName;
            this.gates = gates;
        }
    }

    /** The most layers a recurrent layer may stack. */
    public static final int MAX_LAYERS = 1024;

    private final Mode mode;
    private final int inputSize;
    private final int hiddenSize;
    private final int numLayers;
    private final boolean bias;
    private final boolean batchFirst;
    private final double dropoutP;
    private final boolean bidirectional;
    private final Dropout dropout;
    /** LSTM's proj_size: 0 for none. */
    private final int projSize;
    /** Per layer and direction (index layer * D + direction): w_ih, w_hh, b_ih, b_hh, w_hr (or nulls). */
    private final Parameter[][] weights;

    public Rnn(Mode mode, int inputSize, int hiddenSize, int numLayers, boolean bias, boolean batchFirst,
               double dropout, boolean bidirectional, Generator g) {
        this(mode, inputSize, hiddenSize, numLayers, bias, batchFirst, dropout, bidirectional, 0, g);
    }

    /**
     * With {@code projSize} > 0 (LSTM only), PyTorch's LSTM with projections: each step's hidden state is
     * {@code W_hr (o * tanh(c))}, of {@code proj_size} features, which is also what the layer outputs and what
     * {@code weight_hh} reads; {@code weight_hr_l<k>} (proj_size, hidden_size) follows each direction's biases.
     */
    public Rnn(Mode mode, int inputSize, int hiddenSize, int numLayers, boolean bias, boolean batchFirst,
               double dropout, boolean bidirectional, int projSize, Generator g) {
        Layers.checkPositive("input_size", inputSize);
        Layers.checkPositive("hidden_size", hiddenSize);
        Layers.checkPositive("num_layers", numLayers);
        if (numLayers > MAX_LAYERS) {
            throw new IllegalArgumentException("num_layers: expected at most " + MAX_LAYERS + ", got " + numLayers);
        }
        if (!(dropout >= 0 && dropout <= 1)) {
            throw new IllegalArgumentException("dropout: expected a number between 0 and 1, got " + dropout);
        }
        if (projSize < 0 || projSize > 0 && mode != Mode.LSTM) {
            throw new IllegalArgumentException("proj_size: " + (projSize < 0 ? "expected an integer >= 0, got "
                    + projSize : "only LSTM has projections, got " + projSize + " for " + mode.typeName));
        }
        if (projSize >= hiddenSize && projSize > 0) {
            throw new IllegalArgumentException("proj_size: expected less than hidden_size " + hiddenSize + ", got "
                    + projSize);
        }
        this.projSize = projSize;
        this.mode = mode;
        this.inputSize = inputSize;
        this.hiddenSize = hiddenSize;
        this.numLayers = numLayers;
        this.bias = bias;
        this.batchFirst = batchFirst;
        this.dropoutP = dropout;
        this.bidirectional = bidirectional;
        // registered only so that training mode and a run's generator reach it (it holds no state)
        this.dropout = registerModule("dropout", new Dropout(dropout, g));
        int directions = bidirectional ? 2 : 1;
        int rows = Math.multiplyExact(mode.gates, hiddenSize);
        this.weights = new Parameter[numLayers * directions][];
        double bound = 1 / Math.sqrt(hiddenSize);
        for (int layer = 0; layer < numLayers; layer++) {
            int in = layer == 0 ? inputSize : Math.multiplyExact(outputSize(), directions);
            for (int dir = 0; dir < directions; dir++) {
                String suffix = "_l" + layer + (dir == 1 ? "_reverse" : "");
                Parameter[] w = new Parameter[5];
                w[0] = registerParameter("weight_ih" + suffix, Tensor.empty(DType.FP32, rows, in));
                w[1] = registerParameter("weight_hh" + suffix, Tensor.empty(DType.FP32, rows, outputSize()));
                if (bias) {
                    w[2] = registerParameter("bias_ih" + suffix, Tensor.empty(DType.FP32, rows));
                    w[3] = registerParameter("bias_hh" + suffix, Tensor.empty(DType.FP32, rows));
                }
                if (projSize > 0) {
                    w[4] = registerParameter("weight_hr" + suffix, Tensor.empty(DType.FP32, projSize, hiddenSize));
                }
                weights[layer * directions + dir] = w;
            }
        }
        // PyTorch's reset_parameters: every parameter, in order, uniform in +-1/sqrt(hidden_size)
        for (Parameter p : namedParameters().values()) {
            Init.uniform(p.tensor(), -bound, bound, g);
        }
    }

    @Override
    public String typeName() {
        return mode.typeName;
    }

    public Mode mode() {
        return mode;
    }

    @Override
    public Tensor forward(Tensor input) {
        outputShape(input.shape());
        boolean unbatched = input.dim() == 2;
        Tensor x = unbatched ? ShapeOps.unsqueeze(input, 1) : batchFirst ? ShapeOps.transpose(input, 0, 1) : input;
        int directions = bidirectional ? 2 : 1;
        for (int layer = 0; layer < numLayers; layer++) {
            List<Tensor> outputs = new ArrayList<>(directions);
            for (int dir = 0; dir < directions; dir++) {
                outputs.add(direction(x, weights[layer * directions + dir], dir == 1));
            }
            x = directions == 1 ? outputs.get(0) : JoinOps.cat(outputs, 2);
            if (isTraining() && dropoutP > 0 && layer < numLayers - 1) {
                x = dropout.forward(x); // between layers, in training, as PyTorch's _rnn_impl
            }
        }
        return unbatched ? ShapeOps.squeeze(x, 1) : batchFirst ? ShapeOps.transpose(x, 0, 1) : x;
    }

    /** One direction of one layer over (L, N, in): (L, N, hidden_size). */
    private Tensor direction(Tensor x, Parameter[] w, boolean reverse) {
        int steps = x.size(0);
        int n = x.size(1);
        Tensor bih = w[2] == null ? null : w[2].tensor();
        Tensor bhh = w[3] == null ? null : w[3].tensor();
        Tensor projected = LinalgOps.linear(x, w[0].tensor(), bih); // every step's input projection at once
        Tensor[] state = {Tensor.zeros(x.dtype(), x.device(), n, outputSize()),
            mode == Mode.LSTM ? Tensor.zeros(x.dtype(), x.device(), n, hiddenSize) : null};
        Tensor whr = w[4] == null ? null : w[4].tensor();
        Tensor[] out = new Tensor[steps];
        // without gradients a step's temporaries are freed as it ends (only h and c live on): memory grows with the
        // output, not with ten tensors per step; with gradients backward needs them all, as in PyTorch
        boolean freeSteps = !GradMode.isEnabled();
        for (int k = 0; k < steps; k++) {
            int t = reverse ? steps - 1 - k : k;
            try (TensorScope step = freeSteps ? TensorScope.open() : null) {
                state = step(ShapeOps.select(projected, 0, t), w[1].tensor(), bhh, whr, state);
                if (step != null) {
                    step.keep(state[0]);
                    if (state[1] != null) {
                        step.keep(state[1]);
                    }
                }
            }
            out[t] = state[0];
        }
        return JoinOps.stack(List.of(out), 0);
    }

    /**
     * One time step: the hidden state h and, for an LSTM, the cell state c after it, from {@code state} (those before
     * it) and the step's projected input {@code xt}.
     */
    private Tensor[] step(Tensor xt, Tensor whh, Tensor bhh, Tensor whr, Tensor[] state) {
        Tensor h = state[0];
        Tensor c = state[1];
        Tensor hh = LinalgOps.linear(h, whh, bhh);
        switch (mode) {
            case RNN_TANH -> h = ActivationOps.tanh(ElementwiseOps.add(hh, xt));
            case RNN_RELU -> h = ActivationOps.relu(ElementwiseOps.add(hh, xt));
            case LSTM -> {
                Tensor gates = ElementwiseOps.add(hh, xt);
                Tensor in = ActivationOps.sigmoid(gate(gates, 0));
                Tensor forget = ActivationOps.sigmoid(gate(gates, 1));
                Tensor cell = ActivationOps.tanh(gate(gates, 2));
                Tensor outGate = ActivationOps.sigmoid(gate(gates, 3));
                c = ElementwiseOps.add(ElementwiseOps.mul(forget, c), ElementwiseOps.mul(in, cell));
                h = ElementwiseOps.mul(outGate, ActivationOps.tanh(c));
                if (whr != null) {
                    h = LinalgOps.linear(h, whr, null); // LSTM with projections
                }
            }
            case GRU -> {
                Tensor reset = ActivationOps.sigmoid(ElementwiseOps.add(gate(xt, 0), gate(hh, 0)));
                Tensor update = ActivationOps.sigmoid(ElementwiseOps.add(gate(xt, 1), gate(hh, 1)));
                Tensor fresh = ActivationOps.tanh(ElementwiseOps.add(gate(xt, 2),
                        ElementwiseOps.mul(reset, gate(hh, 2))));
                h = ElementwiseOps.add(ElementwiseOps.mul(ElementwiseOps.sub(h, fresh), update), fresh);
            }
            default -> throw new IllegalStateException(mode.name());
        }
        return new Tensor[] {h, c};
    }

    /** Gate {@code k} of a (N, gates * hidden_size) tensor. */
    private Tensor gate(Tensor gates, int k) {
        return ShapeOps.narrow(gates, 1, k * hiddenSize, hiddenSize);
    }

    /** (L, N, input_size), (N, L, input_size) with batch_first, or (L, input_size): the same with D * hidden_size. */
    @Override
    public int[] outputShape(int[] in) {
        if ((in.length != 2 && in.length != 3) || !Layers.fits(in[in.length - 1], inputSize)) {
            throw new IllegalArgumentException("expected an input of shape " + (batchFirst ? "(N, L, " : "(L, N, ")
                    + inputSize + ") or (L, " + inputSize + ") (input_size " + inputSize + "), got "
                    + Shape.format(in));
        }
        int[] out = in.clone();
        out[out.length - 1] = outputSize() * (bidirectional ? 2 : 1);
        return out;
    }

    /** The features of each direction's hidden state and output: proj_size when set, else hidden_size. */
    private int outputSize() {
        return projSize > 0 ? projSize : hiddenSize;
    }

    /** Each sample is its own sequence only for batched batch-first input (N, L, *); else dimension 0 is time. */
    @Override
    public boolean rowsIndependent(int[] in) {
        return batchFirst && in.length == 3;
    }

    @Override
    protected String extraRepr() {
        return inputSize + ", " + hiddenSize + (numLayers == 1 ? "" : ", num_layers=" + numLayers)
                + (mode == Mode.RNN_RELU ? ", nonlinearity='relu'" : "") + (bias ? "" : ", bias=False")
                + (batchFirst ? ", batch_first=True" : "") + (dropoutP == 0 ? "" : ", dropout=" + dropoutP)
                + (bidirectional ? ", bidirectional=True" : "") + (projSize == 0 ? "" : ", proj_size=" + projSize);
    }
}
