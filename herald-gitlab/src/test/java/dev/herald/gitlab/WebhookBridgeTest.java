package dev.herald.gitlab;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.OffsetDateTime;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Every GitLab fixture payload through {@code POST /v1/gitlab/webhooks} of a real server. */
class WebhookBridgeTest {

    static final String INSTANCE = "https://gitlab.example.com";
    @TempDir
    static Path data;
    static GitLabServer gitlab;
    static String secret;

    @BeforeAll
    static void start() {
        gitlab = new GitLabServer(data);
        secret = gitlab.registerSource(INSTANCE);
    }

    @AfterAll
    static void stop() {
        gitlab.close();
    }

    static GitLabServer.Response post(String file, String header, String uuid, String token) throws IOException {
        Map<String, String> headers = new HashMap<>(Map.of("X-Gitlab-Event", header, "X-Gitlab-Instance", INSTANCE,
                "X-Gitlab-Event-UUID", uuid, "X-Gitlab-Webhook-UUID", "5b8d3c1e-hook", "User-Agent", "GitLab/18.2.0"));
        if (token != null) {
            headers.put("X-Gitlab-Token", token);
        }
        return gitlab.send("POST", WebhookBridge.PATH, headers,
                Files.readString(GitLabServer.FIXTURES.resolve("webhooks").resolve(file + ".json")));
    }

    static JsonNode stored(String id) {
        for (JsonNode event : gitlab.events().path("events")) {
            if (event.path("id").asText().equals(id)) {
                return event;
            }
        }
        return null;
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', nullValues = "-", textBlock = """
            push                             | Push Hook                  | com.gitlab.push                   | refs/heads/master                                   | 15  | 4 | 2012-01-03T21:36:29Z
            tag_push                         | Tag Push Hook              | com.gitlab.tag_push               | refs/tags/v1.0.0                                    | 1   | 1 | -
            issue                            | Issue Hook                 | com.gitlab.issue                  | gid://gitlab/Issue/301                              | 1   | 1 | 2013-12-03T17:15:43Z
            note_commit                      | Note Hook                  | com.gitlab.note.commit            | gid://gitlab/Note/1243                              | 5   | 1 | 2015-05-17T18:08:09Z
            note_merge_request               | Note Hook                  | com.gitlab.note.merge_request     | gid://gitlab/Note/1244                              | 5   | 1 | 2015-05-17T18:21:36Z
            note_issue                       | Note Hook                  | com.gitlab.note.issue             | gid://gitlab/Note/1241                              | 5   | 1 | 2015-05-17T17:06:40Z
            note_snippet                     | Note Hook                  | com.gitlab.note.snippet           | gid://gitlab/Note/1245                              | 5   | 1 | 2015-05-17T18:35:50Z
            merge_request                    | Merge Request Hook         | com.gitlab.merge_request          | gid://gitlab/MergeRequest/99                        | 1   | 1 | 2013-12-03T17:23:34Z
            wiki_page                        | Wiki Page Hook             | com.gitlab.wiki_page              | http://example.com/root/awesome-project/-/wikis/awesome | 1 | 1 | -
            pipeline                         | Pipeline Hook              | com.gitlab.pipeline               | gid://gitlab/Ci::Pipeline/31                        | 1   | 1 | 2016-08-12T15:26:29Z
            job                              | Job Hook                   | com.gitlab.job                    | gid://gitlab/Ci::Build/1977                         | 380 | 3 | 2021-02-23T02:41:37.886Z
            deployment                       | Deployment Hook            | com.gitlab.deployment             | gid://gitlab/Deployment/15                          | 30  | 1 | 2021-04-28T19:50:00Z
            member_add                       | Member Hook                | com.gitlab.member                 | gid://gitlab/User/64                                | -   | - | 2020-12-11T04:57:22Z
            member_update                    | Member Hook                | com.gitlab.member                 | gid://gitlab/User/64                                | -   | - | 2020-12-12T08:48:19Z
            member_remove                    | Member Hook                | com.gitlab.member                 | gid://gitlab/User/64                                | -   | - | 2020-12-12T08:52:34Z
            member_access_request            | Member Hook                | com.gitlab.member                 | gid://gitlab/User/64                                | -   | - | 2020-12-12T08:52:34Z
            member_access_request_denied     | Member Hook                | com.gitlab.member                 | gid://gitlab/User/64                                | -   | - | 2020-12-12T08:52:34Z
            project_create                   | Project Hook               | com.gitlab.project                | gid://gitlab/Project/22                             | 22  | - | 2024-10-07T10:43:48Z
            project_destroy                  | Project Hook               | com.gitlab.project                | gid://gitlab/Project/22                             | 22  | - | 2024-10-07T10:43:48Z
            subgroup_create                  | Subgroup Hook              | com.gitlab.subgroup               | gid://gitlab/Group/10                               | -   | - | 2021-01-20T09:40:12Z
            subgroup_destroy                 | Subgroup Hook              | com.gitlab.subgroup               | gid://gitlab/Group/10                               | -   | - | 2021-01-20T09:40:12Z
            feature_flag                     | Feature Flag Hook          | com.gitlab.feature_flag           | gid://gitlab/Operations::FeatureFlag/6              | 1   | 1 | -
            release                          | Release Hook               | com.gitlab.release                | gid://gitlab/Release/1                              | 2   | - | 2020-11-02T12:55:12Z
            milestone                        | Milestone Hook             | com.gitlab.milestone              | gid://gitlab/Milestone/61                           | 1   | - | 2025-06-16T14:10:57Z
            emoji                            | Emoji Hook                 | com.gitlab.emoji                  | gid://gitlab/AwardEmoji/1                           | 6   | 1 | 2023-07-04T20:44:11Z
            access_token_project             | Resource Access Token Hook | com.gitlab.access_token           | gid://gitlab/PersonalAccessToken/25                 | 7   | - | 2024-01-24T16:27:40Z
            access_token_group               | Resource Access Token Hook | com.gitlab.access_token           | gid://gitlab/PersonalAccessToken/25                 | -   | - | 2024-01-24T16:27:40Z
            vulnerability                    | Vulnerability Hook         | com.gitlab.vulnerability          | https://example.com/flightjs/Flight/-/security/vulnerabilities/1 | 50 | - | 2025-01-08T00:46:14.413Z
            """)
    void everyHookKindBecomesAStoredSchemaValidFatEvent(String file, String header, String type, String subject,
                                                         String projectId, String userId, String time)
            throws IOException {
        String uuid = UUID.randomUUID().toString();
        OffsetDateTime before = OffsetDateTime.now().minusSeconds(1);

        GitLabServer.Response response = post(file, header, uuid, secret);

        assertThat(response.status()).as(response.body().toString()).isEqualTo(202);
        JsonNode event = stored(uuid);
        assertThat(event).as("stored event " + uuid).isNotNull();
        assertThat(event.path("type").asText()).isEqualTo(type);
        assertThat(event.path("source").asText()).isEqualTo(INSTANCE);
        assertThat(event.path("subject").asText()).isEqualTo(subject);
        assertThat(event.path("project").asText(null))
                .isEqualTo(projectId == null ? null : "gid://gitlab/Project/" + projectId);
        assertThat(event.path("authid").asText(null)).isEqualTo(userId == null ? null : "gid://gitlab/User/" + userId);
        assertThat(event.path("authtype").asText()).isEqualTo(userId == null ? "system" : "app_user");
        OffsetDateTime stored = OffsetDateTime.parse(event.path("time").asText());
        if (time == null) {
            assertThat(stored).as("no timestamp in the payload: the time of receipt").isAfter(before);
        } else {
            assertThat(stored.toInstant()).isEqualTo(OffsetDateTime.parse(time).toInstant());
        }
        assertThat(event.path("data"))
                .isEqualTo(GitLabServer.JSON.readTree(GitLabServer.FIXTURES.resolve("webhooks/" + file + ".json")
                        .toFile()));
        assertThat(event.path("dataschema").asText()).endsWith("/v1/schemas/" + type + "/v1");
    }

    @Test
    void aRedeliveryWithTheSameEventUuidIsStoredOnce() throws IOException {
        String uuid = UUID.randomUUID().toString();

        assertThat(post("pipeline", "Pipeline Hook", uuid, secret).body().path("duplicate").asBoolean()).isFalse();
        GitLabServer.Response again = post("pipeline", "Pipeline Hook", uuid, secret);

        assertThat(again.status()).isEqualTo(202);
        assertThat(again.body().path("duplicate").asBoolean()).isTrue();
        long copies = 0;
        for (JsonNode event : gitlab.events().path("events")) {
            copies += event.path("id").asText().equals(uuid) ? 1 : 0;
        }
        assertThat(copies).isEqualTo(1);
    }

    @Test
    void aWrongTokenIs401AndStoresNothing() throws IOException {
        String uuid = UUID.randomUUID().toString();

        GitLabServer.Response wrong = post("push", "Push Hook", uuid, secret + "x");
        GitLabServer.Response missing = post("push", "Push Hook", uuid, null);
        GitLabServer.Response admin = post("push", "Push Hook", uuid, GitLabServer.ADMIN);

        assertThat(wrong.status()).isEqualTo(401);
        assertThat(missing.status()).isEqualTo(401);
        assertThat(missing.body().path("detail").asText()).contains("X-Gitlab-Token is missing");
        assertThat(admin.status()).as("a token that is not a GitLab source's").isEqualTo(401);
        assertThat(stored(uuid)).isNull();
    }

    @Test
    void aSourceTokenIsRefusedForAnotherInstance() throws IOException {
        String other = gitlab.registerSource("https://other.example.com");
        String uuid = UUID.randomUUID().toString();

        GitLabServer.Response response = post("push", "Push Hook", uuid, other);

        assertThat(response.status()).isEqualTo(401);
        assertThat(response.body().path("detail").asText()).contains("belongs to the source https://other.example.com");
        assertThat(stored(uuid)).isNull();
    }

    @Test
    void anUnknownHookKindIs422NamingItAndStoresNothing() throws IOException {
        String uuid = UUID.randomUUID().toString();

        GitLabServer.Response header = post("push", "Repository Update Hook", uuid, secret);
        GitLabServer.Response payload = post("push", "Issue Hook", uuid, secret);

        assertThat(header.status()).isEqualTo(422);
        assertThat(header.body().path("detail").asText()).contains("'Repository Update Hook'");
        assertThat(payload.status()).isEqualTo(422);
        assertThat(payload.body().path("detail").asText()).contains("object_kind/event_name 'push'");
        assertThat(stored(uuid)).isNull();
    }

    @Test
    void aTagPushDoesNotPassAsAPushNorAJobAsAPipeline() throws IOException {
        String tagAsPush = Files.readString(GitLabServer.FIXTURES.resolve("webhooks/tag_push.json"))
                .replace("\"object_kind\": \"tag_push\"", "\"object_kind\": \"push\"")
                .replace("\"event_name\": \"tag_push\"", "\"event_name\": \"push\"");
        String jobAsPipeline = Files.readString(GitLabServer.FIXTURES.resolve("webhooks/job.json"))
                .replace("\"object_kind\": \"build\"", "\"object_kind\": \"pipeline\"");
        Map<String, String> headers = Map.of("X-Gitlab-Token", secret, "X-Gitlab-Event-UUID",
                UUID.randomUUID().toString());

        GitLabServer.Response tag = gitlab.send("POST", WebhookBridge.PATH, with(headers, "Push Hook"), tagAsPush);
        GitLabServer.Response job = gitlab.send("POST", WebhookBridge.PATH, with(headers, "Pipeline Hook"),
                jobAsPipeline);

        assertThat(tag.status()).isEqualTo(400);
        assertThat(tag.body().toString()).contains("data/ref");
        assertThat(job.status()).isEqualTo(400);
        assertThat(job.body().toString()).contains("object_attributes");
    }

    private static Map<String, String> with(Map<String, String> headers, String event) {
        Map<String, String> all = new HashMap<>(headers);
        all.put("X-Gitlab-Event", event);
        return all;
    }
}
