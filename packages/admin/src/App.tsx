import { useEffect } from 'react';
import { ClientResponseError } from 'pocketbase';
import { signOut, useSuperuser } from './lib/auth.ts';
import { CollectionsProvider } from './lib/collections-context.tsx';
import { pb } from './lib/pb.ts';
import { useRoute } from './lib/router.ts';
import SetupPage from './pages/auth/SetupPage.tsx';
import SignInPage from './pages/auth/SignInPage.tsx';
import Shell from './Shell.tsx';

export default function App() {
  const route = useRoute();
  const superuser = useSuperuser();
  const signedIn = superuser !== null;

  // A stored token can outlive its account (deleted superuser, changed password): check it once
  // per page load, and refresh it so an active session does not expire mid-work.
  useEffect(() => {
    if (!signedIn) return;
    pb.collection('_superusers')
      .authRefresh({ requestKey: 'session-check' })
      .catch((err) => {
        if (err instanceof ClientResponseError && [401, 403, 404].includes(err.status)) signOut();
      });
  }, [signedIn]);

  if (route[0] === 'setup' && route[1]) return <SetupPage token={route[1]} />;
  if (!superuser) return <SignInPage />;
  return (
    <CollectionsProvider>
      <Shell route={route} />
    </CollectionsProvider>
  );
}
