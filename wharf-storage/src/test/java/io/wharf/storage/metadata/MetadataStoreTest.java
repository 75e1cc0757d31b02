package io.wharf.storage.metadata;

import io.wharf.storage.log.LogEnvironment;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

class MetadataStoreTest {

    @TempDir
    Path dir;

    private final List<LogEnvironment> envs = new ArrayList<>();

    @AfterEach
    void tearDown() {
        envs.forEach(LogEnvironment::close);
    }

    private MetadataStore open(long snapshotBytes) throws IOException {
        LogEnvironment env = LogEnvironment.builder().build();
        envs.add(env);
        return MetadataStore.open(dir, env, snapshotBytes);
    }

    private static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void shouldStoreScanAndDeleteDefinitions() throws Exception {
        MetadataStore store = open(1 << 20);
        store.put("queue/v/a", b("1")).get();
        store.put("queue/v/b", b("2")).get();
        store.put("exchange/v/x", b("3")).get();
        store.delete("queue/v/a").get();

        assertThat(store.scan("queue/")).containsOnlyKeys("queue/v/b");
        assertThat(store.get("exchange/v/x")).hasValueSatisfying(v -> assertThat(v).isEqualTo(b("3")));
        assertThat(store.scan("")).hasSize(2);
        store.close();
    }

    @Test
    void shouldApplySeveralChangesAtomicallyAndKeepThemAcrossACrash() throws Exception {
        MetadataStore store = open(1 << 20);
        store.put("binding/1", b("x")).get();
        store.apply(List.of(MetadataStore.Mutation.put("queue/q", b("q")), MetadataStore.Mutation.delete("binding/1"),
                MetadataStore.Mutation.put("binding/2", b("y")))).get();
        envs.get(0).close();

        MetadataStore reopened = open(1 << 20);

        assertThat(reopened.scan("")).containsOnlyKeys("queue/q", "binding/2");
        reopened.close();
    }

    @Test
    void shouldRestoreFromSnapshotPlusTheJournalAfterIt() throws Exception {
        MetadataStore store = open(1024);
        List<CompletableFuture<Void>> puts = new ArrayList<>();
        for (int i = 0; i < 2000; i++) {
            puts.add(store.put("key/" + (i % 100), b("value-" + i)));
        }
        CompletableFuture.allOf(puts.toArray(CompletableFuture[]::new)).get(30, TimeUnit.SECONDS);
        store.compact();
        store.put("key/after", b("snapshot")).get();
        envs.get(0).close();

        assertThat(Files.exists(dir.resolve("snapshot"))).isTrue();
        MetadataStore reopened = open(1024);

        assertThat(reopened.scan("key/")).hasSize(101);
        assertThat(new String(reopened.get("key/99").orElseThrow(), StandardCharsets.UTF_8)).isEqualTo("value-1999");
        assertThat(new String(reopened.get("key/after").orElseThrow(), StandardCharsets.UTF_8)).isEqualTo("snapshot");
        reopened.close();
    }

    @Test
    void shouldFallBackToThePreviousSnapshotWhenTheNewestIsDamaged() throws Exception {
        MetadataStore store = open(1024);
        store.put("k", b("v1")).get();
        store.compact();
        store.put("k", b("v2")).get();
        store.put("k2", b("x")).get();
        store.compact();
        store.put("k3", b("y")).get();
        store.close();
        damage(dir.resolve("snapshot"));

        MetadataStore reopened = open(1024);

        assertThat(reopened.get("k")).hasValueSatisfying(v -> assertThat(v).isEqualTo(b("v2")));
        assertThat(reopened.get("k2")).hasValueSatisfying(v -> assertThat(v).isEqualTo(b("x")));
        assertThat(reopened.get("k3")).hasValueSatisfying(v -> assertThat(v).isEqualTo(b("y")));
        reopened.put("k4", b("z")).get();
        reopened.close();
        assertThat(open(1024).scan("")).containsOnlyKeys("k", "k2", "k3", "k4");
    }

    @Test
    void shouldRebuildFromTheJournalWhenItsOnlySnapshotIsDamaged() throws Exception {
        MetadataStore store = open(1024);
        store.put("k", b("v")).get();
        store.compact();
        store.put("k2", b("w")).get();
        store.close();
        damage(dir.resolve("snapshot"));

        MetadataStore reopened = open(1024);

        assertThat(reopened.scan("")).containsOnlyKeys("k", "k2");
    }

    private static void damage(Path file) throws IOException {
        byte[] bytes = Files.readAllBytes(file);
        bytes[bytes.length / 2] ^= 1;
        Files.write(file, bytes);
    }
}
