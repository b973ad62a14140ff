# syntax=docker/dockerfile:1
# Two stages: the Go toolchain builds one static binary; the image that runs it holds
# nothing else (no shell, no package manager) and runs as an unprivileged user.

FROM golang:1.26 AS build
WORKDIR /src
# Modules first, so that a code change does not download them again.
COPY go.mod go.sum ./
RUN go mod download
COPY . .
# CGO off: a static binary that needs no libc in the final image. -trimpath keeps build
# paths out of it; -s -w drop the symbol table and DWARF (about a third of its size).
RUN CGO_ENABLED=0 GOOS=linux go build -trimpath -ldflags "-s -w" -o /out/alliance ./cmd/alliance

FROM gcr.io/distroless/static-debian12:nonroot
# distroless/static brings CA certificates (for sslmode=verify-full), tzdata and
# /etc/passwd with the user nonroot (65532).
COPY --from=build /out/alliance /usr/local/bin/alliance
USER nonroot:nonroot
ENV ADDR=:8080
EXPOSE 8080
# No HEALTHCHECK: the image has no shell or curl to run one. Orchestrators probe over
# HTTP instead: /healthz (the process answers) for liveness, /readyz (database reachable,
# migrations current, event listener connected) for readiness; see docs/production.md.
ENTRYPOINT ["/usr/local/bin/alliance"]
CMD ["serve"]
