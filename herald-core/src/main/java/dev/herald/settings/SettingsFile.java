package dev.herald.settings;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Map.Entry;
import java.util.Properties;

/** A configuration file read into setting names and texts: properties, or JSON with nested objects for dots. */
final class SettingsFile {

    private SettingsFile() {
    }

    static Map<String, String> read(Path file) {
        if (!Files.isRegularFile(file)) {
            throw new SettingsException("configuration file " + file + " does not exist or is not a file");
        }
        try {
            return file.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".json") ? json(file)
                    : properties(file);
        } catch (IOException e) {
            throw new SettingsException("cannot read configuration file " + file + ": " + e.getMessage(), e);
        }
    }

    private static Map<String, String> json(Path file) throws IOException {
        ObjectMapper json = new ObjectMapper().enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
                .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
        JsonNode root = json.readTree(file.toFile());
        if (root == null || !root.isObject()) {
            throw new SettingsException("configuration file " + file + " must hold a JSON object");
        }
        Map<String, String> flat = new LinkedHashMap<>();
        flatten("", root, flat, file);
        return flat;
    }

    private static Map<String, String> properties(Path file) throws IOException {
        Properties properties = new Properties();
        try (Reader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            properties.load(reader);
        }
        Map<String, String> flat = new LinkedHashMap<>();
        properties.stringPropertyNames().stream().sorted().forEach(k -> flat.put(k, properties.getProperty(k)));
        return flat;
    }

    private static void flatten(String prefix, JsonNode node, Map<String, String> into, Path file) {
        for (Entry<String, JsonNode> field : node.properties()) {
            String key = prefix + field.getKey();
            JsonNode value = field.getValue();
            if (value.isObject()) {
                flatten(key + ".", value, into, file);
            } else if (value.isValueNode() && !value.isNull()) {
                into.put(key, value.asText());
            } else {
                throw new SettingsException("setting '" + key + "' in " + file + " must be a string, number or boolean");
            }
        }
    }
}
