package io.wharf.server;

import io.wharf.server.config.ConfigLoader;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** docs/configuration.md stays true: every key is there with its default and its environment variable. */
class ConfigurationDocsTest {

    @Test
    void shouldDocumentEveryKeyWithItsDefault() throws Exception {
        String docs = Files.readString(Path.of("..", "docs", "configuration.md"));

        ConfigLoader.defaultValues().forEach((key, value) -> assertThat(docs)
                .as("docs/configuration.md documents %s", key)
                // An empty default is shown as the YAML literal "".
                .contains("| `" + key + "` | `" + (value.isEmpty() ? "\"\"" : value) + "` | `"
                        + ConfigLoader.environmentVariable(key) + "` |"));
    }
}
