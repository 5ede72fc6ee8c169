package io.nabla.deploy;

import com.marcnuri.helm.Helm;
import com.marcnuri.helm.TemplateCommand;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;

/**
 * The chart {@code helm/nabla} rendered by Helm itself (helm-java runs Helm's Go code as a native library), parsed
 * into one map per Kubernetes object, with lookups by kind and a path walker for assertions.
 */
final class RenderedChart {

    static final Path CHART = Path.of("helm", "nabla");
    static final String RELEASE = "ml";

    private final List<Map<String, Object>> objects;
    private final String text;

    private RenderedChart(String text, List<Map<String, Object>> objects) {
        this.text = text;
        this.objects = objects;
    }

    /**
     * {@code helm template ml helm/nabla -n serving -f <valuesFiles...> --set <sets...>}; sets are name, value pairs.
     */
    static RenderedChart render(List<String> valuesFiles, String... sets) {
        TemplateCommand cmd = new Helm(CHART).template().withName(RELEASE).withNamespace("serving")
                .withKubeVersion("1.31.0");
        for (String file : valuesFiles) {
            cmd = cmd.withValuesFile(CHART.resolve(file));
        }
        for (int i = 0; i < sets.length; i += 2) {
            cmd = cmd.set(sets[i], sets[i + 1]);
        }
        String out = cmd.call();
        List<Map<String, Object>> docs = new ArrayList<>();
        for (Object doc : new Yaml(new LoaderOptions()).loadAll(out)) {
            if (doc != null) {
                docs.add(cast(doc));
            }
        }
        return new RenderedChart(out, docs);
    }

    String text() {
        return text;
    }

    List<String> kinds() {
        return objects.stream().map(o -> (String) o.get("kind")).toList();
    }

    /** The only object of {@code kind}; fails naming the kinds present otherwise. */
    Map<String, Object> one(String kind) {
        List<Map<String, Object>> found = all(kind);
        if (found.size() != 1) {
            throw new AssertionError("expected one " + kind + ", found " + found.size() + " among " + kinds());
        }
        return found.get(0);
    }

    List<Map<String, Object>> all(String kind) {
        return objects.stream().filter(o -> kind.equals(o.get("kind"))).toList();
    }

    /** The Deployment's only container. */
    Map<String, Object> container() {
        List<Object> containers = at(one("Deployment"), "spec.template.spec.containers");
        if (containers.size() != 1) {
            throw new AssertionError("expected one container, found " + containers.size());
        }
        return cast(containers.get(0));
    }

    /** The container's env entry {@code name}, or null. */
    Map<String, Object> env(String name) {
        List<Object> env = at(container(), "env");
        return env.stream().map(RenderedChart::<Map<String, Object>>cast)
                .filter(e -> name.equals(e.get("name"))).findFirst().orElse(null);
    }

    /** Walks a dotted path of map keys ({@code spec.template.spec}); null when a step is missing. */
    @SuppressWarnings("unchecked")
    static <T> T at(Object root, String path) {
        Object node = root;
        for (String key : path.split("\\.")) {
            if (!(node instanceof Map<?, ?> map)) {
                return null;
            }
            node = map.get(key);
        }
        return (T) node;
    }

    @SuppressWarnings("unchecked")
    static <T> T cast(Object o) {
        return (T) Objects.requireNonNull(o);
    }
}
