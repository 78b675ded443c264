package dev.certwright.support;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import com.sun.net.httpserver.HttpServer;

/** An http-01 responder on 127.0.0.1 (RFC 8555 §8.3): serves each token's key authorization, 404 for any other. */
public final class Http01Responder implements AutoCloseable {

    private final HttpServer server;
    private final Map<String, String> tokens = new ConcurrentHashMap<>();

    private Http01Responder(int port) throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", port), 0);
        server.createContext("/.well-known/acme-challenge/", exchange -> {
            String answer = tokens.getOrDefault(exchange.getRequestURI().getPath().substring("/.well-known/acme-challenge/".length()), "");
            byte[] body = answer.getBytes(StandardCharsets.US_ASCII);
            exchange.sendResponseHeaders(body.length == 0 ? 404 : 200, body.length == 0 ? -1 : body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        server.start();
    }

    public static Http01Responder start(int port) throws IOException {
        return new Http01Responder(port);
    }

    public void serve(String token, String keyAuthorization) {
        tokens.put(token, keyAuthorization);
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
