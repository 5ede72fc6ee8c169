package io.nabla.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.marcnuri.helm.Helm;
import com.marcnuri.helm.LintResult;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.yaml.snakeyaml.DumperOptions;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;

/**
 * {@code helm lint --strict} of the chart with the default, GPU and CPU values. Helm's lint takes no values
 * files and skips templates that call {@code fail} (the chart refuses to render without tokens), so each case
 * lints a copy of the chart whose values.yaml is the chart's defaults merged with the overlay and an existing
 * token Secret: every template is rendered and checked.
 */
class HelmLintTest {

    @ParameterizedTest
    @ValueSource(strings = {"", "values-gpu.yaml", "values-cpu.yaml"})
    void lintsStrictlyClean(String overlay, @TempDir Path dir) throws IOException {
        Path chart = dir.resolve("nabla");
        copy(RenderedChart.CHART, chart);
        Map<String, Object> values = load(RenderedChart.CHART.resolve("values.yaml"));
        if (!overlay.isEmpty()) {
            merge(values, load(RenderedChart.CHART.resolve(overlay)));
        }
        merge(values, Map.of("security", Map.of("existingSecret", "nabla-tokens"),
                "serviceMonitor", Map.of("enabled", true, "tokenSecret", Map.of("name", "scrape", "key", "t")),
                "postgresql", Map.of("enabled", true, "url", "jdbc:postgresql://pg/nabla", "existingSecret", "pg")));
        DumperOptions style = new DumperOptions();
        style.setDefaultFlowStyle(DumperOptions.FlowStyle.BLOCK);
        Files.writeString(chart.resolve("values.yaml"), new Yaml(style).dump(values));

        LintResult lint = new Helm(chart).lint().strict().call();

        assertThat(lint.isFailed()).as("lint of %s: %s", overlay, lint.getMessages()).isFalse();
        assertThat(lint.getMessages()).as("lint of " + overlay)
                .noneMatch(m -> m.contains("[ERROR]") || m.contains("[WARNING]"));
    }

    private static Map<String, Object> load(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            Map<String, Object> map = new Yaml(new LoaderOptions()).load(in);
            return new LinkedHashMap<>(map);
        }
    }

    @SuppressWarnings("unchecked")
    private static void merge(Map<String, Object> into, Map<String, Object> overlay) {
        overlay.forEach((k, v) -> {
            if (v instanceof Map<?, ?> m && into.get(k) instanceof Map<?, ?> existing) {
                Map<String, Object> copy = new LinkedHashMap<>((Map<String, Object>) existing);
                merge(copy, (Map<String, Object>) m);
                into.put(k, copy);
            } else {
                into.put(k, v);
            }
        });
    }

    private static void copy(Path from, Path to) throws IOException {
        try (Stream<Path> files = Files.walk(from)) {
            for (Path f : (Iterable<Path>) files::iterator) {
                Path target = to.resolve(from.relativize(f).toString());
                if (Files.isDirectory(f)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(f, target);
                }
            }
        }
    }

}
