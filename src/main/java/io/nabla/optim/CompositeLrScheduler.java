package io.nabla.optim;

import io.nabla.backend.DType;
import io.nabla.tensor.Tensor;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A schedule made of other schedules on the same optimizer ({@link SequentialLR}, {@link ChainedScheduler}): its
 * state dict holds its {@code last_epoch} and each child's state under {@code _schedulers.<i>.}, PyTorch's name.
 */
public abstract class CompositeLrScheduler extends LrScheduler {

    private final List<LrScheduler> schedulers;

    CompositeLrScheduler(Optimizer optimizer, List<LrScheduler> schedulers) {
        super(optimizer);
        this.schedulers = List.copyOf(schedulers);
    }

    /**
     * Checks what every composite checks of its children: at least one, none null, each of {@code optimizer} (for
     * {@code whose}, e.g. "the SequentialLR's"), none twice. The caller checks what its kind adds.
     */
    static void checkChildren(List<LrScheduler> schedulers, Optimizer optimizer, String whose) {
        java.util.Objects.requireNonNull(schedulers, "schedulers");
        if (schedulers.isEmpty()) {
            throw new IllegalArgumentException("schedulers: expected at least one scheduler, got none");
        }
        java.util.Set<LrScheduler> seen = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
        for (int i = 0; i < schedulers.size(); i++) {
            LrScheduler s = schedulers.get(i);
            if (s == null) {
                throw new IllegalArgumentException("schedulers[" + i + "]: expected a scheduler, got null");
            }
            if (s.optimizer() != optimizer) {
                throw new IllegalArgumentException("schedulers[" + i + "]: expected a scheduler of " + whose
                        + " optimizer, got one of another optimizer");
            }
            if (!seen.add(s)) {
                throw new IllegalArgumentException("schedulers[" + i + "]: the same scheduler appears more than once");
            }
        }
    }

    /** The child schedules, in order. */
    public List<LrScheduler> schedulers() {
        return schedulers;
    }

    /** {@code last_epoch} and every child's state under {@code _schedulers.<i>.}. */
    @Override
    public Map<String, Tensor> stateDict() {
        Map<String, Tensor> out = new LinkedHashMap<>();
        out.put("last_epoch", Tensor.scalar(lastEpoch(), DType.INT64));
        for (int i = 0; i < schedulers.size(); i++) {
            String prefix = "_schedulers." + i + ".";
            schedulers.get(i).stateDict().forEach((k, v) -> out.put(prefix + k, v));
        }
        return out;
    }

    @Override
    String stateError(Map<String, Tensor> state) {
        List<String> errors = new ArrayList<>();
        Tensor e = state.get("last_epoch");
        if (e == null || e.numel() != 1) {
            errors.add("last_epoch: expected a one-element tensor, got " + e);
        }
        List<Map<String, Tensor>> children = split(state, errors);
        for (int i = 0; i < children.size(); i++) {
            String error = schedulers.get(i).stateError(children.get(i));
            if (error != null) {
                errors.add("_schedulers." + i + ": " + error);
            }
        }
        return errors.isEmpty() ? null : String.join("; ", errors);
    }

    @Override
    void applyState(Map<String, Tensor> state) {
        setLastEpoch((int) state.get("last_epoch").item());
        List<Map<String, Tensor>> children = split(state, new ArrayList<>());
        for (int i = 0; i < children.size(); i++) {
            schedulers.get(i).applyState(children.get(i));
        }
    }

    /** The children's states, by the key prefix {@code _schedulers.<i>.}; other unexpected keys go to errors. */
    private List<Map<String, Tensor>> split(Map<String, Tensor> state, List<String> errors) {
        List<Map<String, Tensor>> out = new ArrayList<>();
        for (int i = 0; i < schedulers.size(); i++) {
            out.add(new LinkedHashMap<>());
        }
        for (Map.Entry<String, Tensor> en : state.entrySet()) {
            String k = en.getKey();
            if (k.equals("last_epoch")) {
                continue;
            }
            String[] parts = k.split("\\.", 3);
            int index = parts.length == 3 && parts[0].equals("_schedulers") && parts[1].matches("\\d{1,9}")
                    ? Integer.parseInt(parts[1]) : -1;
            if (index < 0 || index >= schedulers.size()) {
                errors.add("unexpected key " + k + " (expected last_epoch and _schedulers.<0.." + (schedulers.size() - 1)
                        + ">.<key>)");
                continue;
            }
            out.get(index).put(parts[2], en.getValue());
        }
        return out;
    }
}
