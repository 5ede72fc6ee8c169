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

/** The layer types that openapi/nabla.yaml lists for a model spec's {@code layers} are exactly those built. */
class LayerCatalogDocsTest {

    @Test
    void openApiListsEveryLayerType() throws IOException {
        String yaml = Files.readString(Path.of("openapi", "nabla.yaml"));
        Matcher m = Pattern.compile("Types: ([A-Za-z0-9, \\n]+)\\.").matcher(yaml);
        assertThat(m.find()).as("a 'Types: ...' list in the layers description").isTrue();
        List<String> listed = Arrays.stream(m.group(1).split(",")).map(String::trim).toList();
        assertThat(listed).containsExactlyInAnyOrderElementsOf(LayerCatalog.types());
    }
}
