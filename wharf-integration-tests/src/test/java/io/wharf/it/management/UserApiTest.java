package io.wharf.it.management;

import com.fasterxml.jackson.databind.JsonNode;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import io.wharf.it.support.ApiClient;
import io.wharf.test.WharfExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Users and permissions through the API; they apply to every protocol and outlive a restart. */
class UserApiTest {

    @RegisterExtension
    static final WharfExtension wharf = new WharfExtension();

    private ApiClient api() {
        return new ApiClient(wharf.httpPort(), "guest", "guest");
    }

    private Connection amqpAs(String user, String password) throws Exception {
        ConnectionFactory f = new ConnectionFactory();
        f.setPort(wharf.amqpPort());
        f.setUsername(user);
        f.setPassword(password);
        return f.newConnection();
    }

    @Test
    void shouldCreateAUserWhoLogsInOverAmqpOnceGivenPermissions() throws Exception {
        assertThat(api().put("/api/users/alice", "{\"password\":\"s3cret\",\"tags\":\"management\"}").status()).isEqualTo(201);
        JsonNode alice = api().get("/api/users/alice").json();
        assertThat(alice.get("tags").get(0).asText()).isEqualTo("management");
        assertThat(alice.has("password")).isFalse();
        assertThatThrownBy(() -> amqpAs("alice", "s3cret").close()).hasStackTraceContaining("access to vhost '/' refused");

        assertThat(api().put("/api/permissions/%2F/alice", "{\"configure\":\"^alice\\\\.\",\"write\":\".*\",\"read\":\".*\"}").status()).isEqualTo(201);
        assertThat(api().put("/api/permissions/%2F/alice", "{\"configure\":\"^alice\\\\.\",\"write\":\".*\",\"read\":\".*\"}").status()).isEqualTo(204);
        try (Connection c = amqpAs("alice", "s3cret")) {
            c.createChannel().queueDeclare("alice.inbox", false, false, true, null);
        }
        JsonNode perm = api().get("/api/permissions/%2F/alice").json();
        assertThat(perm.get("configure").asText()).isEqualTo("^alice\\.");
        assertThat(api().get("/api/users/alice/permissions").json()).hasSize(1);
        assertThat(api().get("/api/permissions").json().findValuesAsText("user")).contains("alice", "guest");

        // Alice may manage her own queues but not others', and not users.
        ApiClient asAlice = api().as("alice", "s3cret");
        assertThat(asAlice.get("/api/whoami").json().get("name").asText()).isEqualTo("alice");
        assertThat(asAlice.put("/api/queues/%2F/alice.work", "{}").status()).isEqualTo(201);
        assertThat(asAlice.put("/api/queues/%2F/bob.work", "{}").status()).isEqualTo(403);
        assertThat(asAlice.get("/api/users").status()).isEqualTo(403);

        assertThat(api().put("/api/users/alice", "{\"password\":\"changed\"}").status()).isEqualTo(204);
        assertThat(api().as("alice", "s3cret").get("/api/whoami").status()).isEqualTo(401);
        assertThat(api().as("alice", "changed").get("/api/whoami").status()).isEqualTo(200);

        assertThat(api().delete("/api/permissions/%2F/alice").status()).isEqualTo(204);
        assertThat(api().get("/api/permissions/%2F/alice").status()).isEqualTo(404);
        assertThat(api().delete("/api/users/alice").status()).isEqualTo(204);
        assertThat(api().get("/api/users/alice").status()).isEqualTo(404);
        assertThat(api().as("alice", "changed").get("/api/whoami").status()).isEqualTo(401);
    }

    @Test
    void shouldRefuseInvalidUsersAndPermissions() {
        ApiClient.Answer noPassword = api().put("/api/users/nopw", "{\"tags\":\"management\"}");
        assertThat(noPassword.status()).isEqualTo(400);
        assertThat(noPassword.json().get("field").asText()).isEqualTo("password");
        ApiClient.Answer badTags = api().put("/api/users/tags", "{\"password\":\"x\",\"tags\":7}");
        assertThat(badTags.json().get("field").asText()).isEqualTo("tags");
        api().put("/api/users/carol", "{\"password\":\"x\",\"tags\":[\"monitoring\"]}");
        ApiClient.Answer badRegex = api().put("/api/permissions/%2F/carol", "{\"configure\":\"(\",\"write\":\"\",\"read\":\"\"}");
        assertThat(badRegex.status()).isEqualTo(400);
        assertThat(badRegex.json().get("field").asText()).isEqualTo("configure");
        ApiClient.Answer missing = api().put("/api/permissions/%2F/carol", "{\"configure\":\".*\"}");
        assertThat(missing.json().get("field").asText()).isEqualTo("write");
        assertThat(api().put("/api/permissions/%2F/nobody", "{\"configure\":\"\",\"write\":\"\",\"read\":\"\"}").status()).isEqualTo(404);
        assertThat(api().put("/api/permissions/no-vhost/carol", "{\"configure\":\"\",\"write\":\"\",\"read\":\"\"}").status()).isEqualTo(404);
        assertThat(api().delete("/api/users/guest").status()).isEqualTo(409);
        // A monitoring user reads everything and changes nothing.
        ApiClient carol = api().as("carol", "x");
        assertThat(carol.get("/api/queues").status()).isEqualTo(200);
        assertThat(carol.put("/api/queues/%2F/carols", "{}").status()).isEqualTo(403);
    }

    @Test
    void shouldKeepUsersCreatedThroughTheApiAcrossARestart() throws Exception {
        assertThat(api().put("/api/users/dave", "{\"password\":\"pw\",\"tags\":\"administrator\"}").status()).isEqualTo(201);
        api().put("/api/permissions/%2F/dave", "{\"configure\":\".*\",\"write\":\".*\",\"read\":\".*\"}");
        wharf.restart();
        ApiClient dave = api().as("dave", "pw");
        assertThat(dave.get("/api/whoami").json().get("tags").get(0).asText()).isEqualTo("administrator");
        assertThat(dave.get("/api/permissions/%2F/dave").json().get("read").asText()).isEqualTo(".*");
        try (Connection c = amqpAs("dave", "pw")) {
            assertThat(c.isOpen()).isTrue();
        }
    }
}
