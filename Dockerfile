# chat-proxy container image: the layered Spring Boot jar on a Java 25 runtime.
#
#   ./mvnw -B package && docker build -t chat-proxy .
#
# Where no registry is reachable, build a local base image first (.ci/base-image) and pass it:
#   docker build --build-arg BASE_IMAGE=chat-proxy-base:jre25 -t chat-proxy .
ARG BASE_IMAGE=eclipse-temurin:25-jre

# Split the uber jar into layers that change at different rates (libraries rarely, our classes often).
FROM ${BASE_IMAGE} AS builder
WORKDIR /builder
ARG JAR_FILE=target/*.jar
COPY ${JAR_FILE} application.jar
RUN ["java", "-Djarmode=tools", "-jar", "application.jar", "extract", "--layers", "--destination", "extracted"]

FROM ${BASE_IMAGE}
WORKDIR /application
COPY --from=builder /builder/extracted/dependencies/ ./
COPY --from=builder /builder/extracted/spring-boot-loader/ ./
COPY --from=builder /builder/extracted/snapshot-dependencies/ ./
COPY --from=builder /builder/extracted/application/ ./
# Defaults that deployments may replace wholesale; nothing is written outside /tmp, so the root
# file system can be read-only.
ENV JAVA_TOOL_OPTIONS="-XX:MaxRAMPercentage=75 -XX:+ExitOnOutOfMemoryError"
# Start-up: a training run at build time (it exits once the context has refreshed; the key is a
# placeholder that never reaches a request) records the loaded and linked classes in a JDK 25
# AOT cache (JEP 483/514), which every start then maps instead of loading the jars' classes again.
# Built as root so that the cache stays root-owned and read-only, like the jars it describes.
RUN POSTPRESS_API_KEY=aot-training-only java -XX:AOTCacheOutput=application.aot \
    -Dspring.context.exit=onRefresh -jar application.jar
# Numeric, so that Kubernetes' runAsNonRoot can verify it; the files stay root-owned and read-only.
USER 10001:10001
# 8080: the API; 8081: actuator (health, prometheus, caches).
EXPOSE 8080 8081
# -XX:AOTCache falls back to a normal start (with a warning) if the cache does not match the JVM.
ENTRYPOINT ["java", "-XX:AOTCache=application.aot", "-jar", "application.jar"]
