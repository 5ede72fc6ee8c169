package io.nabla.model;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The layer types that openapi/nabla.yaml and the README list for a model spec's {@code layers} are exactly those
 * built.
 */
class LayerCatalogDocsTest {

    @Test
    void openApiListsEveryLayerType() throws IOException {
        String yaml = Files.readString(Path.of("openapi", "nabla.yaml"));
        Matcher m = Pattern.compile("Types: ([A-Za-z0-9, \\n]+)\\.").matcher(yaml);
        assertThat(m.find()).as("a 'Types: ...' list in the layers description").isTrue();
        List<String> listed = Arrays.stream(m.group(1).split(",")).map(String::trim).toList();
        assertThat(listed).containsExactlyInAnyOrderElementsOf(LayerCatalog.types());
    }

    /** The README's table of layer types (under "Layer types.") names each type built, once. */
    @Test
    void readmeTableListsEveryLayerType() throws IOException {
        String readme = Files.readString(Path.of("README.md"));
        int start = readme.indexOf("**Layer types.**");
        assertThat(start).as("a **Layer types.** paragraph in README.md").isNotNegative();
        String table = readme.substring(readme.indexOf("| kind | types |", start),
                readme.indexOf("\n\n", readme.indexOf("| kind | types |", start)));
        Matcher m = Pattern.compile("`([A-Za-z0-9]+)`").matcher(table);
        List<String> listed = new java.util.ArrayList<>();
        while (m.find()) {
            listed.add(m.group(1));
        }
        assertThat(listed).doesNotHaveDuplicates().containsExactlyInAnyOrderElementsOf(LayerCatalog.types());
    }
}
