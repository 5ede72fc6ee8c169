package io.nabla.model;

import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * One layer of a model spec: its PyTorch type name and its arguments with PyTorch's defaults filled in, in
 * PyTorch's order. Values are {@code Integer}, {@code int[]} (pairs and shapes), {@code Double}, {@code Boolean},
 * {@code String}, or null for PyTorch's None.
 */
public record LayerSpec(String type, Map<String, Object> args) {

    public LayerSpec {
        Objects.requireNonNull(type, "type");
        args = Collections.unmodifiableMap(new LinkedHashMap<>(args));
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder(type).append('(');
        String sep = "";
        for (Map.Entry<String, Object> e : args.entrySet()) {
            Object v = e.getValue();
            sb.append(sep).append(e.getKey()).append('=').append(v instanceof int[] a ? Arrays.toString(a)
                    : v instanceof double[] d ? Arrays.toString(d) : v);
            sep = ", ";
        }
        return sb.append(')').toString();
    }
}
