# LockLab in a container: build with the SDK, run on the slim ASP.NET runtime as a non-root user.
FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build
WORKDIR /src
COPY Directory.Build.props Directory.Packages.props LockLab.sln ./
COPY src/ src/
# One publish, restore included. Restoring from the project files alone first (the usual trick for a cached restore
# layer) loses blazor.web.js: the SDK adds the package that carries it only when it sees the Razor components.
# The server project references the worker, so the worker (its app host, dll and runtimeconfig) is published beside
# the server, where runs start it from (Runs/WorkerExecutable.cs); the check fails the build if that ever changes.
RUN dotnet publish src/LockLab.Server/LockLab.Server.csproj -c Release -o /app \
 && test -x /app/LockLab.Worker && test -f /app/LockLab.Worker.dll && test -f /app/LockLab.Worker.runtimeconfig.json \
 && test -f /app/wwwroot/_framework/blazor.web.js

FROM mcr.microsoft.com/dotnet/aspnet:10.0 AS runtime
WORKDIR /app
COPY --from=build /app ./
# The port the base image already serves on, said here because the compose file and the health check rely on it.
# (ASPNETCORE_URLS would override the base image's ASPNETCORE_HTTP_PORTS with a warning at every start.)
ENV ASPNETCORE_HTTP_PORTS=8080 \
    LockLab__DataPath=/data
RUN mkdir -p /data && chown "$APP_UID" /data
VOLUME /data
USER $APP_UID
EXPOSE 8080
# Liveness, so Docker reports a hung process; readiness (/readyz) is for a load balancer in front.
# No curl in the runtime image: bash's /dev/tcp asks /healthz directly. The answer is JSON, so the status line is
# checked, not the body ("Unhealthy" contains "Healthy").
HEALTHCHECK --interval=15s --timeout=3s --start-period=10s --retries=3 \
    CMD ["bash", "-c", "exec 3<>/dev/tcp/127.0.0.1/8080 && printf 'GET /healthz HTTP/1.0\\r\\nHost: localhost\\r\\n\\r\\n' >&3 && head -n 1 <&3 | grep -q ' 200 '"]
ENTRYPOINT ["dotnet", "LockLab.Server.dll"]
