namespace LockLab.Server.Students;

public static class StudentsServiceCollectionExtensions
{
    /// <summary>Students running experiments of their own: the fair queue their runs wait in, and the rules they run by.</summary>
    public static IServiceCollection AddStudents(this IServiceCollection services)
    {
        services.AddSingleton<StudentRunQueue>();
        services.AddHostedService(sp => sp.GetRequiredService<StudentRunQueue>());
        services.AddSingleton<StudentRuns>();
        return services;
    }
}
