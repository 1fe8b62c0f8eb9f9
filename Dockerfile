# LockLab in a container: build with the SDK, run on the slim ASP.NET runtime as a non-root user.
FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build
WORKDIR /src
COPY Directory.Build.props Directory.Packages.props LockLab.sln ./
COPY src/ src/
RUN dotnet publish src/LockLab.Server/LockLab.Server.csproj -c Release -o /app

FROM mcr.microsoft.com/dotnet/aspnet:10.0 AS runtime
WORKDIR /app
COPY --from=build /app ./
ENV ASPNETCORE_URLS=http://+:8080 \
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
