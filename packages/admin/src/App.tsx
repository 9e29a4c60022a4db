import { useSuperuser } from './lib/auth.ts';
import { CollectionsProvider } from './lib/collections-context.tsx';
import { useRoute } from './lib/router.ts';
import SetupPage from './pages/auth/SetupPage.tsx';
import SignInPage from './pages/auth/SignInPage.tsx';
import Shell from './Shell.tsx';

export default function App() {
  const route = useRoute();
  const superuser = useSuperuser();
  if (route[0] === 'setup' && route[1]) return <SetupPage token={route[1]} />;
  if (!superuser) return <SignInPage />;
  return (
    <CollectionsProvider>
      <Shell route={route} />
    </CollectionsProvider>
  );
}
